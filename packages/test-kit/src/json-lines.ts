/**
 * Every non-empty line of a process's output parsed as JSON; throws naming the first line
 * that is not, so a test can assert that a service writes nothing but structured log lines.
 */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
}
