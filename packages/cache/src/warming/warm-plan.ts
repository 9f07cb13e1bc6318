import type { WarmEntry } from './warm.ts';

/**
 * What the warming CLI runs: a module's default export is a WarmPlan, or a function (sync or
 * async) returning one. The plan opens what its loaders need (a database pool) and closes it.
 */
export interface WarmPlan {
  /** The entries to warm; an async iterable lets a plan stream keys from a database cursor. */
  entries(): Iterable<WarmEntry> | AsyncIterable<WarmEntry>;
  /** How many entries there will be, for the progress bar (optional). */
  count?(): number | Promise<number>;
  /** Releases what the plan opened; called once, after warming. */
  close?(): void | Promise<void>;
}

export type WarmPlanModule = { default: WarmPlan | (() => WarmPlan | Promise<WarmPlan>) };

export async function planFromModule(module: WarmPlanModule, path: string): Promise<WarmPlan> {
  const exported = module.default;
  const plan = typeof exported === 'function' ? await exported() : exported;
  if (!plan || typeof plan.entries !== 'function') {
    throw new TypeError(
      `${path} does not default-export a warm plan. Export default an object with entries() (and optionally count(), close()), or a function returning one`,
    );
  }
  return plan;
}
