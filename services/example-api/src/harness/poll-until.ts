import { sleep } from '@freshen/runtime';

/**
 * Polls `check` until it returns true, or throws after `timeoutMs` with `description` and the
 * last detail `check` reported (the harness's equivalent of test-kit's waitFor, usable outside tests).
 */
export async function pollUntil(
  check: () => Promise<true | string>,
  options: { timeoutMs: number; description: string; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    try {
      const result = await check();
      if (result === true) return;
      last = result;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${options.timeoutMs} ms waiting for ${options.description} (last: ${last})`,
      );
    }
    await sleep(options.intervalMs ?? 100);
  }
}
