/**
 * Probabilistic early expiration, "XFetch" (Vattani, Chierichetti, Lowenstein: "Optimal
 * Probabilistic Cache Stampede Prevention", VLDB 2015): recompute before expiry when
 *
 *     now - delta * beta * ln(rand()) >= expiry        i.e.   -delta * beta * ln(rand()) >= remaining
 *
 * where delta is how long the last recomputation took. The probability grows as expiry nears and
 * scales with the cost of a load, so one reader refreshes a hot key shortly before it expires
 * instead of every reader missing at once. beta > 1 favours earlier refreshes; 0 disables.
 */
export function shouldRefreshEarly(
  loadMs: number | undefined,
  remainingMs: number,
  beta: number,
  random: () => number = Math.random,
): boolean {
  if (loadMs === undefined || loadMs <= 0 || beta <= 0) return false;
  // -1: the expiry is not known (a value nobody loaded, or stored without one).
  if (remainingMs < 0) return false;
  // 1 - random() is in (0, 1], so ln() is finite or 0.
  return -loadMs * beta * Math.log(1 - random()) >= remainingMs;
}
