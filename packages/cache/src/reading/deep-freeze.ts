/**
 * Freezes `value` and every object and array reachable from it, so a value shared between
 * callers (the near cache's `shareValues`) cannot be changed by one of them: in strict mode a
 * write throws a TypeError instead of silently changing what every other caller sees.
 */
export function deepFreeze<T>(value: T): T {
  // Frozen already: done (and a cycle ends here). A typed array cannot be frozen at all.
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (ArrayBuffer.isView(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}
