import type { KeyValue } from './encoding/param-encoding.ts';

/** Parameters to name a tag of a kind with parameter names P. */
export type TagParams<P extends readonly string[]> = { readonly [K in P[number]]: KeyValue };

/**
 * One tag: a name for a set of cached values that one invalidation makes stale together (the
 * product listings of category 7). `key` is the Redis key of the tag's generation, built like
 * a cache key (same injective encoding, same hash-tag option), and never equal to a cache key:
 * tag kinds and key kinds share one namespace in their keyspace.
 */
export interface Tag {
  /** The tag kind's name. */
  readonly kind: string;
  /** The tag's generation key, e.g. `app:products-in-category:7`. */
  readonly key: string;
}

/**
 * A kind of tag declared with `keyspace.tag(name, params)`: the application tags cached values
 * with `kind.tag(params)`, a rule invalidates them with `invalidateTag(kind, params)`.
 */
export interface TagKind<
  N extends string = string,
  P extends readonly string[] = readonly string[],
> {
  /** Tells tag kinds from key kinds where a rule's produces list holds both. */
  readonly isTag: true;
  /** The kind's name within its keyspace (unique among its key kinds and tag kinds). */
  readonly name: N;
  /** Parameter names, in key order. */
  readonly params: P;
  /** Everything before the first parameter: `app:products-in-category`. */
  readonly base: string;
  /** The tag for these parameter values. */
  tag(params: TagParams<P>): Tag;
  /** The tag's generation key for these parameter values (tag(params).key). */
  key(params: TagParams<P>): string;
  /** A SCAN MATCH pattern of every generation key of this kind and nothing else (TRUNCATE). */
  pattern(): string;
}

/** The shape of a key kind a tag kind is built from (keyspace.ts builds both the same way). */
interface KeyBuilder<N extends string, P extends readonly string[]> {
  readonly name: N;
  readonly params: P;
  readonly base: string;
  key(params: TagParams<P>): string;
  pattern(): string;
}

export function tagKindFrom<N extends string, P extends readonly string[]>(
  keys: KeyBuilder<N, P>,
): TagKind<N, P> {
  const { name, params, base } = keys;
  return {
    isTag: true,
    name,
    params,
    base,
    tag: (values) => ({ kind: name, key: keys.key(values) }),
    key: (values) => keys.key(values),
    pattern: () => keys.pattern(),
  };
}

/** Whether a produced kind is a tag kind (rather than a key kind). */
export function isTagKind(kind: unknown): kind is TagKind {
  return typeof kind === 'object' && kind !== null && (kind as { isTag?: unknown }).isTag === true;
}
