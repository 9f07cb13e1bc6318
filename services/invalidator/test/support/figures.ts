/** Prints a measured figure (recovery times...) on one line, for the report; never asserted. */
export function reportFigure(name: string, ms: number): void {
  process.stdout.write(`FIGURE ${name}: ${Math.round(ms)} ms\n`);
}
