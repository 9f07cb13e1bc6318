import type { Option } from '../option.ts';

interface Common<T> {
  doc: string;
  default?: T;
  secret?: boolean;
}

export function string(
  options: Common<string> & { pattern?: RegExp; expected?: string },
): Option<string> {
  const expected =
    options.expected ?? (options.pattern ? `a value matching ${options.pattern}` : 'a string');
  return {
    ...options,
    expected,
    parse(raw) {
      if (options.pattern && !options.pattern.test(raw)) throw new Error(`expected ${expected}`);
      return raw;
    },
  };
}

export function integer(options: Common<number> & { min?: number; max?: number }): Option<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
  const expected = `an integer from ${min} to ${max}`;
  return {
    ...options,
    expected,
    parse(raw) {
      const value = Number(raw);
      if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max)
        throw new Error(`expected ${expected}`);
      return value;
    },
  };
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

export function boolean(options: Common<boolean>): Option<boolean> {
  return {
    ...options,
    expected: 'true or false',
    parse(raw) {
      const value = raw.trim().toLowerCase();
      if (TRUE.has(value)) return true;
      if (FALSE.has(value)) return false;
      throw new Error('expected true or false');
    },
  };
}

export function oneOf<const T extends string>(values: readonly T[], options: Common<T>): Option<T> {
  const expected = `one of ${values.join(', ')}`;
  return {
    ...options,
    expected,
    parse(raw) {
      if (!(values as readonly string[]).includes(raw)) throw new Error(`expected ${expected}`);
      return raw as T;
    },
  };
}

/**
 * A URL with one of the given protocols and a host, e.g. `postgres://user:pw@db:5432/app`.
 * The shape is checked before any client sees the value: `postgres:u:pw@db/app` (no `//`)
 * parses as a URL without a host or password, and would reach a client and its error
 * messages with the password in plain text. Messages never quote the value.
 */
export function url(options: Common<string> & { protocols: readonly string[] }): Option<string> {
  const schemes = options.protocols.map((p) => `${p}//`).join(' or ');
  const expected = `a URL starting with ${schemes}`;
  return {
    ...options,
    expected,
    parse(raw) {
      const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(raw)?.[1]?.toLowerCase();
      if (scheme === undefined || !options.protocols.includes(scheme))
        throw new Error(`expected ${expected}`);
      if (!raw.slice(scheme.length).startsWith('//'))
        throw new Error(`expected ${expected}: "//" must follow "${scheme}"`);
      let parsed: URL;
      try {
        parsed = new URL(raw);
      } catch {
        throw new Error(
          `expected ${expected} (${scheme}//[user[:password]@]host[:port]...; percent-encode @ : / in the password)`,
        );
      }
      // libpq's postgres:///db?host=/var/run/postgresql names its (socket) host in the query.
      if (parsed.hostname === '' && !parsed.searchParams.has('host'))
        throw new Error(`expected ${expected} with a host name`);
      return raw;
    },
  };
}

/** A comma-separated list of `host:port` pairs, e.g. Kafka brokers. */
export function hostPorts(options: Common<string[]>): Option<string[]> {
  const expected = 'host:port[,host:port...]';
  return {
    ...options,
    expected,
    parse(raw) {
      const items = commaSeparated(raw);
      if (items.length === 0 || !items.every((item) => /^[^\s:,]+:\d{1,5}$/.test(item))) {
        throw new Error(`expected ${expected}`);
      }
      const badPort = items.find((item) => {
        const port = Number(item.slice(item.lastIndexOf(':') + 1));
        return port < 1 || port > 65_535;
      });
      if (badPort !== undefined) throw new Error(`${badPort}: a port is 1 to 65535`);
      return items;
    },
  };
}

/** A comma-separated list of names. */
export function list(options: Common<string[]> & { item?: RegExp }): Option<string[]> {
  const expected = options.item
    ? `comma-separated values matching ${options.item}`
    : 'comma-separated values';
  return {
    ...options,
    expected,
    parse(raw) {
      const items = commaSeparated(raw);
      if (options.item && !items.every((item) => options.item!.test(item)))
        throw new Error(`expected ${expected}`);
      return items;
    },
  };
}

/** The non-empty, trimmed items of a comma-separated value. */
function commaSeparated(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
