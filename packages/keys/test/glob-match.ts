/**
 * Redis's glob (stringmatchlen in util.c), used by SCAN MATCH: `*`, `?`, `[...]` with `^`
 * negation and `a-z` ranges, `\` escapes. Enough to check patterns without a server.
 */
export function globMatch(pattern: string, text: string): boolean {
  const p = [...pattern];
  const s = [...text];
  function match(pi: number, si: number): boolean {
    while (pi < p.length) {
      const c = p[pi]!;
      if (c === '*') {
        while (p[pi + 1] === '*') pi++;
        if (pi + 1 === p.length) return true;
        for (let k = si; k <= s.length; k++) if (match(pi + 1, k)) return true;
        return false;
      }
      if (si >= s.length) return false;
      if (c === '?') {
        pi++;
        si++;
        continue;
      }
      if (c === '[') {
        let i = pi + 1;
        const negate = p[i] === '^';
        if (negate) i++;
        let found = false;
        while (i < p.length && p[i] !== ']') {
          if (p[i] === '\\' && i + 1 < p.length) {
            if (p[i + 1] === s[si]) found = true;
            i += 2;
          } else if (p[i + 1] === '-' && i + 2 < p.length && p[i + 2] !== ']') {
            const [lo, hi] = [p[i]!, p[i + 2]!].sort();
            if (s[si]! >= lo! && s[si]! <= hi!) found = true;
            i += 3;
          } else {
            if (p[i] === s[si]) found = true;
            i++;
          }
        }
        if (found === negate) return false;
        pi = i + 1;
        si++;
        continue;
      }
      const literal = c === '\\' && pi + 1 < p.length ? p[++pi]! : c;
      if (literal !== s[si]) return false;
      pi++;
      si++;
    }
    return si === s.length;
  }
  return match(0, 0);
}
