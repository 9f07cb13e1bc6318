import { createLogger, runService } from '@freshen/runtime';
import { readApiConfig } from './config.ts';
import { startExampleApi } from './example-api.ts';

// The one place the example API reads its environment and handles signals.
const logger = createLogger('example-api');
await runService(
  async () => {
    const config = readApiConfig();
    logger.level = config.logLevel;
    return startExampleApi(config, logger);
  },
  { logger },
);
