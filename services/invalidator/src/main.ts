import { loadRuleSet } from '@freshen/rules';
import { createLogger, runService } from '@freshen/runtime';
import { readInvalidatorConfig } from './config.ts';

const bootLogger = createLogger('invalidator');

// Settings and rules are checked before the Kafka, Redis and Postgres clients are even
// loaded (dynamic imports below): a refusal then takes under a second, not several.
await runService(
  async () => {
    const config = readInvalidatorConfig();
    const logger = createLogger('invalidator', { level: config.logLevel });
    const rules = await loadRuleSet(config.rulesModule, { cwd: process.cwd() });
    if (config.validation) {
      const { validateRulesAgainstDatabase } = await import('./rules/validate-rules.ts');
      await validateRulesAgainstDatabase(
        rules,
        config.validation.databaseUrl,
        config.validation.publication,
        logger,
      );
    }
    const { startInvalidator } = await import('./invalidator.ts');
    return startInvalidator({ ...config.service, rules, logger });
  },
  { logger: bootLogger },
);
