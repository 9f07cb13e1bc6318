import type { KeyKind, TagKind } from '@freshen/keys';
import type { Target } from './targets.ts';

/** What a rule may list in `produces`: key kinds and tag kinds. */
export type Produced = KeyKind | TagKind;

/** Tag parameters as a rule passes them: row values; `null` means "no such tag" (skipped). */
export type TagTargetParams<K extends TagKind> =
  K extends TagKind<string, infer P> ? { readonly [N in P[number]]: unknown } : never;

/** One tag a rule invalidates: every value cached with that tag goes stale at once. */
export interface TagTarget<K extends TagKind = TagKind> {
  readonly action: 'invalidate-tag';
  readonly kind: K;
  readonly params: Readonly<Record<string, unknown>>;
}

/** What a rule returns for a produced kind K: a key target for a key kind, a tag target for a tag kind. */
export type RuleTarget<K extends Produced = Produced> = K extends TagKind
  ? TagTarget<K>
  : K extends KeyKind
    ? Target<K>
    : never;

/**
 * Invalidate a tag (the kind must be in the rule's produces list, so TRUNCATE covers it). The
 * invalidator unlinks the tag's generation, so no read returns a value cached with the tag
 * before, and a fill whose load began before is refused. Yield it for the old row and the new
 * row when a change moves a row between tags (a product changing category).
 */
export function invalidateTag<K extends TagKind>(
  kind: K,
  params: TagTargetParams<K>,
): TagTarget<K> {
  return { action: 'invalidate-tag', kind, params };
}
