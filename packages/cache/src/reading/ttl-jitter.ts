/**
 * Shortens a TTL by a random fraction up to `jitter` (0.1 = up to 10 % shorter), so keys filled
 * together do not all expire together. Only ever shortens: the configured TTL stays an upper
 * bound on how long a value can live. Never returns less than 1 ms.
 */
export function jitteredTtl(
  ttlMs: number,
  jitter: number,
  random: () => number = Math.random,
): number {
  const fraction = Math.min(Math.max(jitter, 0), 1);
  return Math.max(1, Math.round(ttlMs * (1 - fraction * random())));
}
