import { createLogger, runService } from '@freshen/runtime';
import { readApiConfig } from './config.ts';

// The one place the example API reads its environment and handles signals. The settings are
// checked before the Postgres and Redis clients are loaded (dynamic import below).
const logger = createLogger('example-api');
await runService(
  async () => {
    const config = readApiConfig();
    logger.level = config.logLevel;
    const { startExampleApi } = await import('./example-api.ts');
    return startExampleApi(config, logger);
  },
  { logger },
);
