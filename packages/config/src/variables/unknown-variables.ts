import type { Env } from '../option.ts';
import { editDistance } from './edit-distance.ts';
import { FRESHEN_PREFIXES, FRESHEN_VARIABLES } from './known-variables.ts';
import { isOrdinaryVariable } from './ordinary-variables.ts';

/** Lists names the check accepts although they look like Freshen's (meant for another program). */
export const IGNORE_VARIABLE = 'FRESHEN_IGNORE_VARIABLES';

/** How far a name may be from a known one to count as a near miss: more slack for longer names. */
function nearMissLimit(known: string): number {
  if (known.length <= 4) return 0; // PORT: HOST and SORT are not typos of it
  return known.length <= 8 ? 1 : 2;
}

/**
 * One problem line for each variable that looks like one of Freshen's but is not: a near miss
 * of a known name (SLOT_NAM, REDIS_URLL, a lower-case redis_url) or an unknown name with a
 * prefix only Freshen uses (REDIS_PASSWORD). Unset typos are how a reader ends up on the
 * default slot and publication without a word, so they refuse the start instead.
 *
 * `accepted` adds the calling schema's own names. Variables of any Freshen service are known
 * everywhere (FRESHEN_VARIABLES), ordinary ones (PATH, NODE_OPTIONS, KUBERNETES_*, npm_*...)
 * never trip the check, and FRESHEN_IGNORE_VARIABLES=A,B accepts A and B. Lines name
 * variables only, never their values.
 */
export function unknownVariableProblems(env: Env, accepted: Iterable<string> = []): string[] {
  const known = new Set([...FRESHEN_VARIABLES, ...accepted]);
  const ignored = new Set(
    (env[IGNORE_VARIABLE] ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  );
  const problems: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (env[name] === undefined || known.has(name) || ignored.has(name)) continue;
    if (isOrdinaryVariable(name)) continue;
    const guesses = closestKnown(name.toUpperCase(), known);
    const prefix = FRESHEN_PREFIXES.find((candidate) => name.toUpperCase().startsWith(candidate));
    if (guesses.length === 0 && prefix === undefined) continue;
    const hint =
      guesses.length > 0
        ? `did you mean ${guesses.join(' or ')}?`
        : `Freshen's ${prefix} variables are ${[...known].filter((k) => k.startsWith(prefix!)).join(', ')}.`;
    problems.push(
      `${name} is not a Freshen variable; ${hint} Rename it, or list it in ${IGNORE_VARIABLE} if it is meant for another program`,
    );
  }
  return problems;
}

function closestKnown(name: string, known: ReadonlySet<string>): string[] {
  let best = Number.POSITIVE_INFINITY;
  let guesses: string[] = [];
  for (const candidate of known) {
    const limit = nearMissLimit(candidate);
    const distance = editDistance(name, candidate, limit);
    if (distance > limit || distance > best) continue;
    if (distance < best) guesses = [];
    best = distance;
    guesses.push(candidate);
  }
  return guesses;
}

/** Names a schema declares that FRESHEN_VARIABLES does not list (for each service's config test). */
export function unlistedVariables(names: Iterable<string>): string[] {
  const listed = new Set(FRESHEN_VARIABLES);
  return [...names].filter((name) => !listed.has(name));
}
