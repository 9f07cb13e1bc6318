import { createLogger, runService } from '@freshen/runtime';
import { readInvalidatorConfig } from './config.ts';
import { startInvalidator } from './invalidator.ts';
import { loadRules } from './rules/load-rules.ts';
import { validateRulesAgainstDatabase } from './rules/validate-rules.ts';

const bootLogger = createLogger('invalidator');

await runService(
  async () => {
    const config = readInvalidatorConfig();
    const logger = createLogger('invalidator', { level: config.logLevel });
    const rules = await loadRules(config.rulesModule);
    if (config.validateRules) {
      await validateRulesAgainstDatabase(
        rules,
        config.databaseUrl,
        config.validatePublication,
        logger,
      );
    }
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
      rules,
      logger,
    });
  },
  { logger: bootLogger },
);
