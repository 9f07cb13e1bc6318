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
    if (config.validateRules) {
      const { validateRulesAgainstDatabase } = await import('./rules/validate-rules.ts');
      await validateRulesAgainstDatabase(
        rules,
        config.databaseUrl,
        config.validatePublication,
        logger,
      );
    }
    const { startInvalidator } = await import('./invalidator.ts');
    return startInvalidator({
      kafkaBrokers: config.kafkaBrokers,
      redis: config.redis,
      groupId: config.groupId,
      topics: config.topics.length > 0 ? config.topics : { prefix: config.topicPrefix },
      topicRefreshMs: config.topicRefreshMs,
      dlqTopic: config.dlqTopic,
      dlqReplicationFactor: config.dlqReplicationFactor,
      partitionsConcurrency: config.partitionsConcurrency,
      sessionTimeoutMs: config.sessionTimeoutMs,
      wedgedAfterMs: config.wedgedAfterMs,
      commitIntervalMs: config.commitIntervalMs,
      scanCount: config.scanCount,
      metricsPort: config.metricsPort,
      opsHost: config.opsHost,
      rules,
      logger,
    });
  },
  { logger: bootLogger },
);
