import { createLogger } from '@freshen/runtime';

/** Silent unless TEST_LOG_LEVEL is set (e.g. TEST_LOG_LEVEL=debug to see the reader's lines). */
export const quietLogger = createLogger('cdc-reader-test', {
  level: process.env.TEST_LOG_LEVEL ?? 'silent',
});
