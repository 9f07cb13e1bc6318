/**
 * An ordered list of cleanup steps for a component's `close()`. Steps run in reverse order of
 * registration (last opened, first closed); a failing step does not skip the rest; all
 * failures come back together as one AggregateError. Closing is idempotent: every caller
 * shares one promise.
 */
export class CloseList {
  private readonly steps: { name: string; run: () => unknown }[] = [];
  private closing: Promise<void> | undefined;

  /** Registers a cleanup step; returns the list for chaining. */
  add(name: string, run: () => unknown): this {
    if (this.closing) throw new Error(`cannot add close step "${name}": already closing`);
    this.steps.push({ name, run });
    return this;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  close(): Promise<void> {
    this.closing ??= this.runAll();
    return this.closing;
  }

  private async runAll(): Promise<void> {
    const errors: Error[] = [];
    for (const step of [...this.steps].reverse()) {
      try {
        await step.run();
      } catch (error) {
        errors.push(
          new Error(`close step "${step.name}" failed: ${(error as Error).message}`, {
            cause: error,
          }),
        );
      }
    }
    if (errors.length > 0)
      throw new AggregateError(errors, `${errors.length} close step(s) failed`);
  }
}
