import { jsonSerializer, type Serializer } from '../serializers/serializer.ts';
import { deepFreeze } from './deep-freeze.ts';
import { JsonCopy } from './json-copy.ts';

// What the near cache keeps of a value, and how a hit turns it back into one. The near cache
// itself holds copies as opaque values; the three forms are decided here, on both sides:
// - shareValues: one deep-frozen value, returned to every caller as it is;
// - the default JSON serializer: a JsonCopy, copied afresh per hit (no parsing);
// - any other serializer (or a value too deep for a JsonCopy): the text, deserialized per hit.

/** What the near cache keeps of a value read from Redis as `text`. */
export function nearCopy(text: string, serializer: Serializer, shareValues: boolean): unknown {
  // Shared: a value of its own, since the caller of the read may change the value it got.
  if (shareValues) return deepFreeze(serializer.deserialize(text));
  if (serializer === jsonSerializer) return JsonCopy.of(text) ?? text;
  return text;
}

/**
 * A hit's value from what nearCopy kept. Another serializer for a key kept as a JsonCopy
 * (which Redis's own text would not survive either) still gets exactly what it would from the
 * text: a JsonCopy was made from JSON.stringify's text, which stringifying its value gives back.
 */
export function fromNearCopy(copy: unknown, serializer: Serializer, shareValues: boolean): unknown {
  if (shareValues) return copy;
  if (copy instanceof JsonCopy)
    return serializer === jsonSerializer
      ? copy.copy()
      : serializer.deserialize(JSON.stringify(copy.value));
  return serializer.deserialize(copy as string);
}
