import { readFileSync } from 'node:fs';
import { boolean, oneOf, string } from './options/builders.ts';

/** SASL mechanisms Freshen offers (those @platformatic/kafka implements, GSSAPI aside). */
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** How Freshen proves who it is to the brokers, and how it checks who they are. */
export interface KafkaSecurity {
  /** TLS to every broker. Absent: plain TCP. */
  tls?: {
    /** PEM bundle of the authorities to trust. Default: Node's built-in list. */
    caFile?: string;
    /** Client certificate and key (PEM) for mutual TLS. */
    certFile?: string;
    keyFile?: string;
    /** Check that the broker's certificate names the host connected to. Default true. */
    verifyServerName?: boolean;
  };
  sasl?: {
    mechanism: SaslMechanism;
    username?: string;
    /** Never logged; read from a variable or a file. */
    password?: string;
    /** OAUTHBEARER: the bearer token. */
    token?: string;
  };
}

/**
 * The Kafka connection-security settings every Kafka client shares (the reader's producer,
 * the invalidator's consumer, its DLQ producer, admin calls). Spread into a config schema;
 * `kafkaSecurityOf` turns the values into a KafkaSecurity.
 */
export const KAFKA_SECURITY_OPTIONS = {
  KAFKA_TLS: boolean({
    default: false,
    doc: 'Connect to the brokers with TLS (SASL_SSL or SSL listeners).',
  }),
  KAFKA_TLS_CA_FILE: string({
    default: '',
    doc: "PEM bundle of the authorities that signed the brokers' certificates; empty: Node's built-in list.",
  }),
  KAFKA_TLS_CERT_FILE: string({
    default: '',
    doc: 'Client certificate (PEM) for mutual TLS; needs KAFKA_TLS_KEY_FILE.',
  }),
  KAFKA_TLS_KEY_FILE: string({
    default: '',
    doc: 'Private key (PEM) of KAFKA_TLS_CERT_FILE.',
  }),
  KAFKA_TLS_VERIFY_SERVER_NAME: boolean({
    default: true,
    doc: "Check that each broker's certificate names the host connected to (the chain is always checked).",
  }),
  KAFKA_SASL_MECHANISM: oneOf(['none', ...SASL_MECHANISMS] as const, {
    default: 'none',
    doc: 'SASL mechanism: none, PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER.',
  }),
  KAFKA_SASL_USERNAME: string({ default: '', doc: 'SASL user (PLAIN, SCRAM).' }),
  KAFKA_SASL_PASSWORD: string({
    default: '',
    secret: true,
    doc: 'SASL password (PLAIN, SCRAM); prefer KAFKA_SASL_PASSWORD_FILE.',
  }),
  KAFKA_SASL_PASSWORD_FILE: string({
    default: '',
    doc: 'File holding the SASL password (trailing newline ignored), e.g. a mounted secret.',
  }),
  KAFKA_SASL_TOKEN_FILE: string({
    default: '',
    doc: 'File holding the OAUTHBEARER token (read at start).',
  }),
};

type SecurityValues = {
  readonly [K in keyof typeof KAFKA_SECURITY_OPTIONS]: ReturnType<
    (typeof KAFKA_SECURITY_OPTIONS)[K]['parse']
  >;
};

function readSecret(file: string, variable: string, problems: string[]): string | undefined {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    problems.push(
      `${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path and its permissions`,
    );
    return undefined;
  }
}

/**
 * The security the KAFKA_* settings ask for (undefined: plain and unauthenticated), or the
 * problem lines that say what is missing (for the caller's ConfigError). Lines name the
 * variables, never a secret's value.
 */
export function kafkaSecurityOf(
  raw: SecurityValues,
): { security: KafkaSecurity | undefined } | { problems: string[] } {
  const problems: string[] = [];
  const security: KafkaSecurity = {};
  const tlsFiles = [raw.KAFKA_TLS_CA_FILE, raw.KAFKA_TLS_CERT_FILE, raw.KAFKA_TLS_KEY_FILE];
  if (!raw.KAFKA_TLS && tlsFiles.some((file) => file !== ''))
    problems.push('KAFKA_TLS_*_FILE is set but KAFKA_TLS is not: set KAFKA_TLS=true');
  if ((raw.KAFKA_TLS_CERT_FILE === '') !== (raw.KAFKA_TLS_KEY_FILE === ''))
    problems.push('mutual TLS needs both KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE');
  if (raw.KAFKA_TLS) {
    security.tls = {
      ...(raw.KAFKA_TLS_CA_FILE && { caFile: raw.KAFKA_TLS_CA_FILE }),
      ...(raw.KAFKA_TLS_CERT_FILE && { certFile: raw.KAFKA_TLS_CERT_FILE }),
      ...(raw.KAFKA_TLS_KEY_FILE && { keyFile: raw.KAFKA_TLS_KEY_FILE }),
      verifyServerName: raw.KAFKA_TLS_VERIFY_SERVER_NAME,
    };
  }
  const mechanism = raw.KAFKA_SASL_MECHANISM;
  if (mechanism === 'OAUTHBEARER') {
    const token =
      raw.KAFKA_SASL_TOKEN_FILE === ''
        ? undefined
        : readSecret(raw.KAFKA_SASL_TOKEN_FILE, 'KAFKA_SASL_TOKEN_FILE', problems);
    if (raw.KAFKA_SASL_TOKEN_FILE === '')
      problems.push('KAFKA_SASL_MECHANISM=OAUTHBEARER needs KAFKA_SASL_TOKEN_FILE');
    security.sasl = { mechanism, ...(token !== undefined && { token }) };
  } else if (mechanism !== 'none') {
    if (raw.KAFKA_SASL_PASSWORD !== '' && raw.KAFKA_SASL_PASSWORD_FILE !== '')
      problems.push('set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both');
    const password =
      raw.KAFKA_SASL_PASSWORD_FILE === ''
        ? raw.KAFKA_SASL_PASSWORD
        : readSecret(raw.KAFKA_SASL_PASSWORD_FILE, 'KAFKA_SASL_PASSWORD_FILE', problems);
    if (raw.KAFKA_SASL_USERNAME === '' || password === '')
      problems.push(
        `KAFKA_SASL_MECHANISM=${mechanism} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)`,
      );
    security.sasl = { mechanism, username: raw.KAFKA_SASL_USERNAME, password: password ?? '' };
  }
  if (problems.length > 0) return { problems };
  return { security: security.tls || security.sasl ? security : undefined };
}
