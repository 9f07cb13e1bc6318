import { connect } from 'node:net';
import type { RedisTarget } from '@freshen/config';

/** Why Redis refuses us in a way that retrying cannot fix until the operator acts. */
export type RedisRefusalCause = 'WRONGPASS' | 'NOAUTH' | 'NOPERM' | 'TLS_MISMATCH';

export interface RedisRefusal {
  cause: RedisRefusalCause;
  /** One line naming the cause and the fix; never the password. */
  message: string;
}

/**
 * Every command Freshen's invalidator sends, for the NOPERM fix: EVALSHA and EVAL/SCRIPT LOAD
 * (the delete script runs UNLINK, GET and SET; the refresh script GET, SET and DEL), UNLINK and
 * SCAN (truncates), INFO (ioredis's ready check), PING, CLUSTER (slot map, cluster mode only).
 */
export const REDIS_COMMANDS_NEEDED = [
  'unlink',
  'evalsha',
  'eval',
  'script|load',
  'get',
  'set',
  'del',
  'scan',
  'info',
  'ping',
  'cluster|slots',
  'cluster|shards',
] as const;

/** TLS handshake errors a client gets from a server that does not speak TLS (OpenSSL codes). */
const TLS_PLAINTEXT_CODES = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_UNKNOWN_PROTOCOL',
  'EPROTO',
]);

/** Where we connect and as whom, for messages: host:port and the ACL user, never the password. */
export function describeTarget(target: RedisTarget): {
  where: string;
  host?: string;
  port?: number;
  user: string;
  tls: boolean;
} {
  if (!('url' in target)) {
    return { where: target.clusterNodes.join(','), user: 'default', tls: false };
  }
  try {
    const url = new URL(target.url);
    return {
      where: `${url.hostname}:${url.port || '6379'}`,
      host: url.hostname,
      port: Number(url.port || 6379),
      user: decodeURIComponent(url.username) || 'default',
      tls: url.protocol === 'rediss:',
    };
  } catch {
    return { where: 'REDIS_URL', user: 'default', tls: false };
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
  for (const link of chain(error)) {
    const replyCode = /^(?:Ready check failed: )?([A-Z]+)\b/.exec(link.message ?? '')?.[1];
    if (replyCode === 'WRONGPASS') {
      return {
        cause: 'WRONGPASS',
        message: `Redis at ${where} rejected user "${user}" and its password (WRONGPASS): fix the user or password in REDIS_URL (redis://user:password@host:port), or the user's ACL in Redis`,
      };
    }
    if (replyCode === 'NOAUTH') {
      return {
        cause: 'NOAUTH',
        message: `Redis at ${where} requires authentication (NOAUTH) and REDIS_URL carries no password: set REDIS_URL=redis://user:password@host:port`,
      };
    }
    // A command refused inside a script (deletes and refreshes are scripts) comes back as ERR
    // with this text, without the command's name.
    const inScript = /user executing the script can't run this command/.test(link.message ?? '');
    if (replyCode === 'NOPERM' || inScript) {
      const command = /'([^']+)' command/.exec(link.message ?? '')?.[1];
      return {
        cause: 'NOPERM',
        message: `Redis user "${user}" at ${where} may not run ${command ? `'${command}'` : 'a command Freshen needs'} (NOPERM): grant what the invalidator needs with ACL SETUSER ${user} ${REDIS_COMMANDS_NEEDED.map((name) => `+${name}`).join(' ')} ~*  (or ~<your key prefix>* instead of ~*)`,
      };
    }
    if (tls && link.code && TLS_PLAINTEXT_CODES.has(link.code)) {
      return {
        cause: 'TLS_MISMATCH',
        message: `REDIS_URL uses rediss:// (TLS) but Redis at ${where} does not answer TLS (${link.code}): use redis://, or enable TLS on the server`,
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
    message: `REDIS_URL uses rediss:// (TLS) but Redis at ${where} answers in plain text (the TLS handshake ${code === 'ETIMEDOUT' ? 'timed out' : 'was reset'}): use redis://, or enable TLS on the server`,
  };
}
