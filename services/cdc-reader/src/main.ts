import { createLogger, runService } from '@freshen/runtime';
import { readReaderConfig } from './config.ts';

// The one place cdc-reader reads its environment and handles signals. The settings are
// checked before the Postgres and Kafka clients are even loaded (dynamic import below), so
// a refusal takes under a second.
const logger = createLogger('cdc-reader');
await runService(
  async () => {
    const config = readReaderConfig();
    logger.level = config.LOG_LEVEL;
    const { startReader } = await import('./reader.ts');
    return startReader(config, logger);
  },
  { logger },
);
