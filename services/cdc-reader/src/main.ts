import { createLogger, runService } from '@freshen/runtime';
import { loadReaderConfig } from './config.ts';
import { startReader } from './reader.ts';

// The one place cdc-reader reads its environment and handles signals.
const logger = createLogger('cdc-reader');
await runService(
  async () => {
    const config = loadReaderConfig();
    logger.level = config.LOG_LEVEL;
    return startReader(config, logger);
  },
  { logger },
);
