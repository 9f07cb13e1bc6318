/**
 * Turns a value into the string stored in Redis and back. JSON is the default; a custom
 * serializer (superjson, a JSON with bigint support, ...) must produce text that does not start
 * with the envelope marker U+001E (see `@freshen/storage`) and must agree with whatever the
 * invalidator's refresh rules write for the same keys.
 */
export interface Serializer<T = unknown> {
  serialize(value: T): string;
  deserialize(text: string): T;
}

/** The default: JSON.stringify / JSON.parse. */
export const jsonSerializer: Serializer<unknown> = {
  serialize: (value) => {
    const text = JSON.stringify(value);
    // JSON.stringify(undefined) and of functions is undefined; such values are never cached.
    if (text === undefined)
      throw new TypeError('value is not JSON-serializable (undefined or a function)');
    return text;
  },
  deserialize: (text) => JSON.parse(text) as unknown,
};
