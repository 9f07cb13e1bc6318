import { tlsCertificateProblemOf } from '@freshen/runtime';

/** host:port of a postgres:// URL, for messages (never its user or password). */
export function postgresAddressOf(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname || url.searchParams.get('host') || 'localhost'}:${url.port || '5432'}`;
  } catch {
    return 'DATABASE_URL';
  }
}

/**
 * The line that says why Postgres cannot be reached and what to change, when the cause is one
 * retrying cannot fix alone (a TLS certificate the reader refuses); undefined otherwise.
 */
export function postgresProblemLine(error: unknown, address: string): string | undefined {
  const certificate = tlsCertificateProblemOf(error);
  if (certificate?.kind === 'untrusted')
    return `Postgres at ${address} presented a TLS certificate that no trusted authority signed (${certificate.code}): set sslrootcert in DATABASE_URL to the PEM file of the CA that issued it (for RDS the region's or global bundle), with sslmode=verify-full; retrying with backoff`;
  if (certificate?.kind === 'hostname')
    return `Postgres at ${address} presented a TLS certificate for another host name (${certificate.host ?? address} is not among ${certificate.names ?? 'its names'}): connect by a name the certificate lists (the endpoint's DNS name, not an IP address or alias); retrying with backoff`;
  return undefined;
}
