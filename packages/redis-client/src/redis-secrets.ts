import { readFileSync } from 'node:fs';
import type { RedisAuth, RedisTarget, RedisTls } from '@freshen/config';
import { FreshenError } from '@freshen/runtime';
import type { ConnectionOptions } from 'node:tls';

/**
 * A file named by a setting, read once when the client is made. A missing or unreadable file is
 * a configuration mistake: one line naming the setting and the path (never the content).
 */
function readSetting(setting: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unreadable';
    throw new FreshenError(
      'CONFIG_INVALID',
      `${setting}=${file} cannot be read (${code}): point it at a readable PEM or secret file`,
      { cause: error },
    );
  }
}

/** ioredis's username/password from an auth setting; a password file wins over the text. */
export function credentialsOf(
  auth: RedisAuth | undefined,
  variables: { password: string },
): { username?: string; password?: string } {
  if (!auth) return {};
  const password =
    auth.passwordFile === undefined
      ? auth.password
      : readSetting(variables.password, auth.passwordFile).replace(/\r?\n$/, '');
  return {
    ...(auth.username !== undefined && { username: auth.username }),
    ...(password !== undefined && { password }),
  };
}

/** The target's TLS settings: its own, or (none given) the defaults when its URL is rediss://. */
export function tlsOf(target: RedisTarget): RedisTls | undefined {
  if (target.tls) return target.tls;
  return 'url' in target && /^rediss:/i.test(target.url) ? {} : undefined;
}

/**
 * Node TLS options: certificates always verified (rejectUnauthorized is never turned off),
 * against the CA file if one is given, and the host name checked by Node's default
 * checkServerIdentity, against `serverName` when set.
 */
export function tlsOptionsOf(tls: RedisTls): ConnectionOptions {
  return {
    rejectUnauthorized: true,
    ...(tls.caFile !== undefined && { ca: readSetting('REDIS_TLS_CA_FILE', tls.caFile) }),
    ...(tls.certFile !== undefined && { cert: readSetting('REDIS_TLS_CERT_FILE', tls.certFile) }),
    ...(tls.keyFile !== undefined && { key: readSetting('REDIS_TLS_KEY_FILE', tls.keyFile) }),
    ...(tls.serverName !== undefined && { servername: tls.serverName }),
  };
}
