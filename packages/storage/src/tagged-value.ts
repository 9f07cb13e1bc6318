/**
 * The stored form of a tagged whole value (docs/architecture.md, "Tags"): the envelope of
 * stored-value.ts whose payload starts with the generations of the value's tags as read
 * before its load began, so a reader can tell whether any tag was invalidated since:
 *
 *     U+001D <tag key> U+001F <generation> [U+001F <tag key> U+001F <generation>]... U+001E <serialized value>
 *
 * Tag keys come from @freshen/keys (encoded, no control characters) and generations are
 * base64url, so the separators cannot occur inside them. A reader that does not know tags sees
 * a payload starting with U+001D, which no serializer's JSON can start with, and treats it as
 * unreadable (a miss), never as a value it may serve without checking the tags.
 */
import { ENVELOPE_MARK } from './stored-value.ts';

export const TAGS_MARK = '\u001d';
const FIELD = '\u001f';

/** One tag of a value and its generation when the value's load began. */
export interface TagGeneration {
  key: string;
  generation: string;
}

export function encodeTaggedPayload(payload: string, tags: readonly TagGeneration[]): string {
  const fields = tags.flatMap(({ key, generation }) => [key, generation]);
  return `${TAGS_MARK}${fields.join(FIELD)}${ENVELOPE_MARK}${payload}`;
}

/** The value and its tags; undefined when `payload` is not a tagged payload. */
export function decodeTaggedPayload(
  payload: string,
): { payload: string; tags: TagGeneration[] } | undefined {
  if (!payload.startsWith(TAGS_MARK)) return undefined;
  const end = payload.indexOf(ENVELOPE_MARK);
  if (end < 0) return undefined;
  const section = payload.slice(1, end);
  const fields = section === '' ? [] : section.split(FIELD);
  if (fields.length % 2 !== 0 || fields.some((field) => field === '')) return undefined;
  const tags: TagGeneration[] = [];
  for (let i = 0; i < fields.length; i += 2)
    tags.push({ key: fields[i]!, generation: fields[i + 1]! });
  return { payload: payload.slice(end + 1), tags };
}
