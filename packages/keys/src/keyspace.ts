import { FreshenError } from '@freshen/runtime';
import { leaseKeyFor, versionKeyFor } from './cluster/companion-keys.ts';
import {
  decodeParamText,
  encodeParamText,
  keyValueText,
  type KeyValue,
} from './encoding/param-encoding.ts';
import { checkKindName, checkName } from './names.ts';
import { tagKindFrom, type TagKind } from './tag-kind.ts';

/** Parameters to build a key of a kind with parameter names P. */
export type KeyParams<P extends readonly string[]> = { readonly [K in P[number]]: KeyValue };
/** Parameters parsed back from a key: always the text form. */
export type ParsedKeyParams<P extends readonly string[]> = { [K in P[number]]: string };

export interface KindOptions<P extends readonly string[]> {
  /**
   * Redis Cluster hash tag. `true`: all parameter values form the tag (`app:user:{42}`), so a
   * key, its lease and its version share a slot whatever else the key contains. A parameter
   * name: only that value is the tag (`app:team-members:{7}:3`), so every key of the family
   * with that value - across kinds that tag the same value - shares one slot (multi-key
   * commands, one pipeline per family). Default: no tag; leases still share the key's slot.
   */
  hashTag?: true | P[number];
}

/** One kind of cache key, e.g. `user` with parameter `id` → `app:user:42`. */
export interface KeyKind<
  N extends string = string,
  P extends readonly string[] = readonly string[],
> {
  /** The kind's name within its keyspace. */
  readonly name: N;
  /** Parameter names, in key order. */
  readonly params: P;
  /** Everything before the first parameter: `app:v2:user`. */
  readonly base: string;
  /** The key for these parameter values. */
  key(params: KeyParams<P>): string;
  /** The parameters of a key of this kind, or undefined if `key` is not one. */
  parse(key: string): ParsedKeyParams<P> | undefined;
  /** A SCAN MATCH pattern that matches every key of this kind and nothing else in the keyspace. */
  pattern(): string;
  /** leaseKeyFor(key(params)). */
  leaseKey(params: KeyParams<P>): string;
  /** versionKeyFor(key(params)). */
  versionKey(params: KeyParams<P>): string;
}

export interface KeyspaceOptions {
  /** First segment of every key, e.g. `app`. */
  prefix: string;
  /** Bump to retire every key of the keyspace at once: `app:v2:...`. */
  version?: number;
}

export interface Keyspace {
  /** `app` or `app:v2`. */
  readonly base: string;
  /** Declares a kind; names are checked and must be unique within the keyspace. */
  kind<const N extends string, const P extends readonly string[]>(
    name: N,
    params: P,
    options?: KindOptions<P>,
  ): KeyKind<N, P>;
  /** Every kind declared so far. */
  readonly kinds: readonly KeyKind[];
  /**
   * Declares a tag kind (see tag-kind.ts): parameters, encoding and hashTag as for `kind`. Its
   * name shares the keyspace's namespace with key kinds, so a generation key is never a cache key.
   */
  tag<const N extends string, const P extends readonly string[]>(
    name: N,
    params: P,
    options?: KindOptions<P>,
  ): TagKind<N, P>;
  /** Every tag kind declared so far. */
  readonly tags: readonly TagKind[];
}

export function defineKeyspace(options: KeyspaceOptions): Keyspace {
  checkName('keyspace prefix', options.prefix);
  if (
    options.version !== undefined &&
    (!Number.isSafeInteger(options.version) || options.version < 1)
  ) {
    throw new FreshenError(
      'KEY_INVALID',
      `keyspace version ${options.version} is not allowed: use a positive integer`,
    );
  }
  const base =
    options.version === undefined ? options.prefix : `${options.prefix}:v${options.version}`;
  const kinds: KeyKind[] = [];
  const tags: TagKind[] = [];
  const checkUnused = (name: string) => {
    checkKindName(name);
    if ([...kinds, ...tags].some((kind) => kind.name === name)) {
      throw new FreshenError(
        'KEY_INVALID',
        `key or tag kind ${JSON.stringify(name)} is declared twice in keyspace ${base}`,
      );
    }
  };
  return {
    base,
    kinds,
    tags,
    kind(name, params, kindOptions = {}) {
      checkUnused(name);
      const kind = createKind(`${base}:${name}`, name, params, kindOptions);
      kinds.push(kind);
      return kind;
    },
    tag(name, params, kindOptions = {}) {
      checkUnused(name);
      const tag = tagKindFrom(createKind(`${base}:${name}`, name, params, kindOptions));
      tags.push(tag);
      return tag;
    },
  };
}

function createKind<const N extends string, const P extends readonly string[]>(
  base: string,
  name: N,
  params: P,
  options: KindOptions<P>,
): KeyKind<N, P> {
  params.forEach((param) => checkName(`parameter name of key kind ${name}`, param));
  if (new Set(params).size !== params.length) {
    throw new FreshenError(
      'KEY_INVALID',
      `key kind ${name} names a parameter twice: ${params.join(', ')}`,
    );
  }
  const { hashTag } = options;
  if (hashTag !== undefined && hashTag !== true && !params.includes(hashTag)) {
    throw new FreshenError(
      'KEY_INVALID',
      `key kind ${name}: hashTag ${JSON.stringify(hashTag)} is not one of its parameters (${params.join(', ')})`,
    );
  }
  if (hashTag !== undefined && params.length === 0) {
    throw new FreshenError(
      'KEY_INVALID',
      `key kind ${name} has no parameters to use as a hash tag; remove hashTag`,
    );
  }
  const start = `${base}:`;

  function encodeAll(values: KeyParams<P>): string[] {
    return params.map((param) => {
      const text = keyValueText((values as Record<string, unknown>)[param]);
      if (typeof text !== 'string') {
        throw new FreshenError(
          'KEY_INVALID',
          `cannot build a ${name} key: parameter ${param} ${text.problem}`,
        );
      }
      const encoded = encodeParamText(text);
      return hashTag === param ? `{${encoded}}` : encoded;
    });
  }

  function key(values: KeyParams<P>): string {
    if (params.length === 0) return base;
    const joined = encodeAll(values).join(':');
    return start + (hashTag === true ? `{${joined}}` : joined);
  }

  function parse(candidate: string): ParsedKeyParams<P> | undefined {
    if (params.length === 0) return candidate === base ? ({} as ParsedKeyParams<P>) : undefined;
    if (!candidate.startsWith(start)) return undefined;
    let rest = candidate.slice(start.length);
    if (hashTag === true) {
      if (!rest.startsWith('{') || !rest.endsWith('}') || rest.length < 2) return undefined;
      rest = rest.slice(1, -1);
    }
    const segments = rest.split(':');
    if (segments.length !== params.length) return undefined;
    const parsed: Record<string, string> = {};
    for (const [index, param] of params.entries()) {
      let segment = segments[index]!;
      if (hashTag === param) {
        if (!segment.startsWith('{') || !segment.endsWith('}') || segment.length < 2)
          return undefined;
        segment = segment.slice(1, -1);
      }
      const value = decodeParamText(segment);
      if (value === undefined) return undefined;
      parsed[param] = value;
    }
    return parsed as ParsedKeyParams<P>;
  }

  return {
    name,
    params,
    base,
    key,
    parse,
    // Prefix, kind and the ':' are literal [a-z0-9_-:] text, so the only glob character is the
    // trailing '*'. No other kind shares `base:` (names are unique and ':'-free) and companion
    // keys start with '{', so the pattern matches this kind's keys only.
    pattern: () => (params.length === 0 ? base : `${start}*`),
    leaseKey: (values) => leaseKeyFor(key(values)),
    versionKey: (values) => versionKeyFor(key(values)),
  };
}
