import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KAFKA_SECURITY_OPTIONS, kafkaSecurityOf, readConfig } from '../src/index.ts';

const of = (env: Record<string, string>) =>
  kafkaSecurityOf(readConfig(KAFKA_SECURITY_OPTIONS, env));

describe('kafkaSecurityOf', () => {
  it('asks for nothing when no KAFKA_TLS / KAFKA_SASL_* is set (plain, unauthenticated)', () => {
    expect(of({})).toEqual({ security: undefined });
  });

  it('reads TLS with a CA and SCRAM with the password from a file (trailing newline dropped)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'freshen-kafka-security-'));
    const passwordFile = path.join(dir, 'password');
    writeFileSync(passwordFile, 's3cret\n');
    expect(
      of({
        KAFKA_TLS: 'true',
        KAFKA_TLS_CA_FILE: '/etc/ca.pem',
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'freshen',
        KAFKA_SASL_PASSWORD_FILE: passwordFile,
      }),
    ).toEqual({
      security: {
        tls: { caFile: '/etc/ca.pem', verifyServerName: true },
        sasl: { mechanism: 'SCRAM-SHA-512', username: 'freshen', password: 's3cret' },
      },
    });
  });

  it('names each missing or conflicting setting, never the secret', () => {
    const result = of({
      KAFKA_TLS_CERT_FILE: '/etc/client.pem',
      KAFKA_SASL_MECHANISM: 'PLAIN',
      KAFKA_SASL_PASSWORD: 'hunter2',
      KAFKA_SASL_PASSWORD_FILE: '/nonexistent/password',
    });
    expect(result).toEqual({
      problems: [
        'KAFKA_TLS_*_FILE is set but KAFKA_TLS is not: set KAFKA_TLS=true',
        'mutual TLS needs both KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE',
        'set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both',
        'KAFKA_SASL_PASSWORD_FILE: cannot read /nonexistent/password (ENOENT); check the path and its permissions',
        'KAFKA_SASL_MECHANISM=PLAIN needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)',
      ],
    });
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  it('turns off only the host-name check when asked', () => {
    expect(of({ KAFKA_TLS: 'true', KAFKA_TLS_VERIFY_SERVER_NAME: 'false' })).toEqual({
      security: { tls: { verifyServerName: false } },
    });
  });
});
