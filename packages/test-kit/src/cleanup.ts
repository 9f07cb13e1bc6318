import { CloseList } from '@freshen/runtime';

/**
 * Cleanup for resources a test file creates. Call once at the top of a test file; helpers
 * that create a resource register its removal on the returned list. Everything is removed
 * after the file's tests, last-created first, and every step runs even if one fails.
 */
export function useCleanup(): CloseList {
  const list = new CloseList();
  afterAll(() => list.close());
  return list;
}
