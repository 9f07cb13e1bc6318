/** What the invalidator does with one key after a change. */
export type CacheAction =
  /** UNLINK the key, its fill lease and its version. */
  | { kind: 'delete'; key: string }
  /** Version-guarded SET of the key to `value` (already serialized, JSON by default) for `ttlMs`. */
  | { kind: 'refresh'; key: string; value: string; ttlMs: number }
  /** UNLINK the tag's generation key (`key`): every value cached with the tag goes stale. */
  | { kind: 'invalidate-tag'; key: string };
