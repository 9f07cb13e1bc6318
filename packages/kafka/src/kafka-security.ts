import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { SASLOptions } from '@platformatic/kafka';
import type { KafkaSecurity } from '@freshen/config';
import { FreshenError } from '@freshen/runtime';

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new FreshenError(
      'CONFIG_INVALID',
      `cannot read the Kafka TLS ${what} file ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}): check the path`,
      { cause: error },
    );
  }
}

/** The TLS and SASL part of a client's options, or nothing for a plain, unauthenticated cluster. */
export function securityOptions(
  security: KafkaSecurity | undefined,
  brokers: readonly string[] = [],
): {
  tls?: TlsOptions;
  tlsServerName?: boolean;
  sasl?: SASLOptions;
} {
  const options: { tls?: TlsOptions; tlsServerName?: boolean; sasl?: SASLOptions } = {};
  const tls = security?.tls;
  if (tls) {
    // SNI with the broker's host name, which managed clusters route by (an IP address is
    // never sent as a server name: RFC 6066).
    if (brokers.some((broker) => isIP(broker.slice(0, broker.lastIndexOf(':'))) === 0))
      options.tlsServerName = true;
    options.tls = {
      rejectUnauthorized: true,
      ...(tls.caFile && { ca: readPem(tls.caFile, 'CA') }),
      ...(tls.certFile && { cert: readPem(tls.certFile, 'certificate') }),
      ...(tls.keyFile && { key: readPem(tls.keyFile, 'key') }),
      // Off only when asked: the chain is still verified, the name in it is not.
      ...(tls.verifyServerName === false && { checkServerIdentity: () => undefined }),
    };
  }
  const sasl = security?.sasl;
  if (sasl) {
    options.sasl = {
      mechanism: sasl.mechanism,
      ...(sasl.username !== undefined && { username: sasl.username }),
      // Providers, so the secret is not a plain property of the client's options.
      ...(sasl.password !== undefined && { password: () => sasl.password! }),
      ...(sasl.token !== undefined && { token: () => sasl.token! }),
    };
  }
  return options;
}

/** Node's codes for a certificate chain that does not lead to a trusted authority. */
const UNTRUSTED_CHAIN = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

/** Every error inside a client error (aggregates and causes), outermost first. */
function chain(error: unknown, seen = new Set<unknown>()): Record<string, unknown>[] {
  if (typeof error !== 'object' || error === null || seen.has(error)) return [];
  seen.add(error);
  const record = error as Record<string, unknown>;
  const inner = Array.isArray(record.errors) ? record.errors : [];
  return [record, ...inner.flatMap((entry) => chain(entry, seen)), ...chain(record.cause, seen)];
}

/**
 * One line saying what is wrong with the connection's security and how to fix it, when that
 * is why `error` happened (a refused password, a certificate not trusted, a certificate for
 * another host); undefined otherwise. Names variables, never their secret values.
 */
export function kafkaSecurityProblem(
  error: unknown,
  connection: { brokers: readonly string[]; security?: KafkaSecurity },
): string | undefined {
  const at = `Kafka at ${connection.brokers.join(',')}`;
  for (const entry of chain(error)) {
    const code = typeof entry.code === 'string' ? entry.code : undefined;
    if (entry.apiId === 'SASL_AUTHENTICATION_FAILED') {
      const sasl = connection.security?.sasl;
      return `${at} rejected ${sasl?.mechanism ?? 'SASL'} authentication of user "${sasl?.username ?? ''}": check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE) and KAFKA_SASL_MECHANISM`;
    }
    if (code && UNTRUSTED_CHAIN.has(code))
      return `${at} presented a TLS certificate that no trusted authority signed (${code}): set KAFKA_TLS_CA_FILE to the CA bundle that signed the brokers' certificates`;
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
      return `${at} presented a TLS certificate for another host (${String(entry.reason ?? entry.message)}): list the brokers in KAFKA_BROKERS by a name their certificate holds`;
    if (code === 'CERT_HAS_EXPIRED')
      return `${at} presented an expired TLS certificate: renew the brokers' certificates`;
  }
  return undefined;
}
