/**
 * One configuration option: how to parse it, its default, and what it is for. A schema is
 * a plain object of options keyed by environment variable name, so the defaults and the
 * documentation sit next to each other where they are declared.
 */
export interface Option<T> {
  /** What the option does, in one sentence; shown by `--help` style listings. */
  readonly doc: string;
  /** Used when the variable is unset or empty. No default means the variable is required. */
  readonly default?: T;
  /** What a valid value looks like, used in error messages (e.g. `host:port[,host:port]`). */
  readonly expected: string;
  /** Parses the raw string; throws an Error whose message says what is wrong. */
  parse(raw: string): T;
  /** Hide the value in logs (passwords, connection strings). */
  readonly secret?: boolean;
}

export type Schema = Record<string, Option<unknown>>;

export type ConfigOf<S extends Schema> = {
  readonly [K in keyof S]: S[K] extends Option<infer T> ? T : never;
};

/** The environment a configuration is read from (process.env, or a test's own). */
export type Env = Readonly<Record<string, string | undefined>>;
