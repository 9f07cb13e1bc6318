import { connect } from 'node:net';
import type { RedisTarget } from '@freshen/config';
import { tlsCertificateProblemOf } from '@freshen/runtime';
import { tlsOf } from './redis-secrets.ts';

/** Why Redis refuses us in a way that retrying cannot fix until the operator acts. */
export type RedisRefusalCause =
  | 'WRONGPASS'
  | 'NOAUTH'
  | 'NOPERM'
  | 'TLS_MISMATCH'
  | 'TLS_UNTRUSTED'
  | 'TLS_HOSTNAME'
  | 'TLS_CLIENT_CERT';

export interface RedisRefusal {
  cause: RedisRefusalCause;
  /** One line naming the cause and the fix; never the password. */
  message: string;
}

/**
 * Every command Freshen sends (the invalidator, the cache, the warm command), for the ACL of
 * its Redis user and the NOPERM fix: UNLINK (truncates), EVALSHA, EVAL and SCRIPT LOAD (the
 * storage scripts, which run GET, SET, DEL, UNLINK, HSET, PEXPIRE and TIME inside), GET, SET, EXISTS, PTTL,
 * HMGET, HSET, DEL (cache reads, fills and leases), SCAN (truncates), WAIT (REDIS_WAIT_REPLICAS), INFO (ioredis's ready
 * check and the sentinel role check), PING, and in cluster mode CLUSTER SLOTS, SHARDS and INFO
 * and CLIENT SETNAME (ioredis's Cluster client names its connections and checks the state).
 */
export const REDIS_COMMANDS_NEEDED = [
  'get',
  'set',
  'del',
  'unlink',
  'exists',
  'pttl',
  'pexpire',
  'time',
  'hmget',
  'hset',
  'evalsha',
  'eval',
  'script|load',
  'scan',
  'wait',
  'info',
  'ping',
  'cluster|slots',
  'cluster|shards',
  'cluster|info',
  'client|setname',
] as const;

/**
 * Key patterns for one keyspace prefix: its keys (`P:...`) and their companions (lease and
 * version keys, `{P:...}:lease` or, for keys with their own hash tag, `{tag}:lease:P:...`).
 */
function keyPatternsFor(prefix: string): string {
  return [
    `~${prefix}:*`,
    `~{${prefix}:*`,
    `~{*}:lease:${prefix}:*`,
    `~{*}:version:${prefix}:*`,
  ].join(' ');
}

/**
 * The ACL rule (after `ACL SETUSER <user> on >password`) that lets a user run exactly what
 * Freshen needs: on every key, or on the keys of the given keyspace prefixes only.
 */
export function freshenAclRule(prefixes: readonly string[] = []): string {
  const keys = prefixes.length === 0 ? '~*' : prefixes.map(keyPatternsFor).join(' ');
  return `resetkeys ${keys} resetchannels -@all ${REDIS_COMMANDS_NEEDED.map((name) => `+${name}`).join(' ')}`;
}

/** TLS handshake errors a client gets from a server that does not speak TLS (OpenSSL codes). */
const TLS_PLAINTEXT_CODES = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_UNKNOWN_PROTOCOL',
  'EPROTO',
]);

/** OpenSSL's alerts for a server that wants a client certificate we did not send. */
const TLS_CLIENT_CERT_CODES = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
]);

/** Where we connect and as whom, for messages: host:port and the ACL user, never the password. */
export function describeTarget(target: RedisTarget): {
  where: string;
  host?: string;
  port?: number;
  user: string;
  tls: boolean;
} {
  const tls = tlsOf(target) !== undefined;
  const configuredUser = target.auth?.username;
  if ('clusterNodes' in target) {
    const where = target.clusterNodes.map(({ host, port }) => `${host}:${port}`).join(',');
    return { where, user: configuredUser ?? 'default', tls };
  }
  if ('sentinels' in target) {
    return {
      where: `the master "${target.masterName}" of sentinels ${target.sentinels.map(({ host, port }) => `${host}:${port}`).join(',')}`,
      user: configuredUser ?? 'default',
      tls,
    };
  }
  try {
    const url = new URL(target.url);
    return {
      where: `${url.hostname}:${url.port || '6379'}`,
      host: url.hostname,
      port: Number(url.port || 6379),
      user: configuredUser ?? (decodeURIComponent(url.username) || 'default'),
      tls,
    };
  } catch {
    return { where: 'REDIS_URL', user: configuredUser ?? 'default', tls };
  }
}

function* chain(error: unknown): Generator<{ message?: string; code?: string }> {
  const seen = new Set<unknown>();
  let current = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    yield current as { message?: string; code?: string };
    current = (current as { cause?: unknown }).cause;
  }
}

/**
 * Recognises Redis's refusals by the error code that starts a Redis error reply (the
 * protocol's own machine-readable part: `WRONGPASS ...`, `NOAUTH ...`, `NOPERM ...`) and TLS
 * mismatches by OpenSSL's error code. Undefined for anything transient (connection refused,
 * timeouts, LOADING, failover), which is simply retried.
 */
export function redisRefusalOf(error: unknown, target: RedisTarget): RedisRefusal | undefined {
  const { where, user, tls } = describeTarget(target);
  const certificate = tls ? tlsCertificateProblemOf(error) : undefined;
  if (certificate?.kind === 'untrusted') {
    return {
      cause: 'TLS_UNTRUSTED',
      message: `Redis at ${where} presented a TLS certificate that no trusted authority signed (${certificate.code}): set REDIS_TLS_CA_FILE to the PEM file of the CA that issued the server's certificate`,
    };
  }
  if (certificate?.kind === 'hostname') {
    return {
      cause: 'TLS_HOSTNAME',
      message: `Redis at ${where} presented a TLS certificate for another host name (${certificate.host ?? where} is not among ${certificate.names ?? 'its names'}): connect by a name the certificate lists, or set REDIS_TLS_SERVER_NAME to the name it was issued for`,
    };
  }
  for (const link of chain(error)) {
    const replyCode = /^(?:Ready check failed: )?([A-Z]+)\b/.exec(link.message ?? '')?.[1];
    if (replyCode === 'WRONGPASS') {
      return {
        cause: 'WRONGPASS',
        message: `Redis at ${where} rejected user "${user}" and its password (WRONGPASS): fix REDIS_USERNAME and REDIS_PASSWORD (or REDIS_PASSWORD_FILE, or the user:password in REDIS_URL), or the user's ACL in Redis`,
      };
    }
    if (replyCode === 'NOAUTH') {
      return {
        cause: 'NOAUTH',
        message: `Redis at ${where} requires authentication (NOAUTH) and Freshen sent no password: set REDIS_PASSWORD_FILE or REDIS_PASSWORD (with REDIS_USERNAME for an ACL user), or REDIS_URL=redis://user:password@host:port`,
      };
    }
    // A command refused inside a script (the invalidator's deletes and refreshes are scripts)
    // comes back as ERR with this text, without the command's name.
    const inScript = /user executing the script can't run this command/.test(link.message ?? '');
    if (replyCode === 'NOPERM' || inScript) {
      const command = /'([^']+)' command/.exec(link.message ?? '')?.[1];
      return {
        cause: 'NOPERM',
        message: `Redis user "${user}" at ${where} may not run ${command ? `'${command}'` : 'a command Freshen needs'} (NOPERM): grant what Freshen needs with ACL SETUSER ${user} ${freshenAclRule()}  (or, instead of ~*, the patterns of your key prefixes, see the README)`,
      };
    }
    if (tls && link.code && TLS_PLAINTEXT_CODES.has(link.code)) {
      return {
        cause: 'TLS_MISMATCH',
        message: `TLS to Redis is on (rediss:// or REDIS_TLS=true) but Redis at ${where} does not answer TLS (${link.code}): use redis://, or enable TLS on the server`,
      };
    }
    if (tls && link.code && TLS_CLIENT_CERT_CODES.has(link.code)) {
      return {
        cause: 'TLS_CLIENT_CERT',
        message: `Redis at ${where} refused the TLS handshake (${link.code}): it requires a client certificate; set REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE to one its CA signed`,
      };
    }
  }
  return undefined;
}

/**
 * A plain Redis does not answer a TLS ClientHello at all (it waits for the rest of an inline
 * command), so `rediss://` against it only times out. When a TLS connect fails that way, ask
 * the same address in plain text: a Redis reply (`+PONG`, `-NOAUTH ...`) proves the mismatch.
 */
export async function tlsMismatchOf(
  error: unknown,
  target: RedisTarget,
): Promise<RedisRefusal | undefined> {
  const { where, host, port, tls } = describeTarget(target);
  if (!tls || host === undefined || port === undefined) return undefined;
  const code = [...chain(error)].find((link) => link.code)?.code;
  if (code !== 'ETIMEDOUT' && code !== 'ECONNRESET') return undefined;
  const plain = await new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(/^[+-]/.test(data.toString('latin1'))));
  });
  if (!plain) return undefined;
  return {
    cause: 'TLS_MISMATCH',
    message: `TLS to Redis is on (rediss:// or REDIS_TLS=true) but Redis at ${where} answers in plain text (the TLS handshake ${code === 'ETIMEDOUT' ? 'timed out' : 'was reset'}): use redis://, or enable TLS on the server`,
  };
}
