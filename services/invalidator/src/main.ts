import { loadRuleSet } from '@freshen/rules';
import { createLogger, runService } from '@freshen/runtime';
import { readInvalidatorConfig } from './config.ts';
import { startInvalidator } from './invalidator.ts';
import { validateRulesAgainstDatabase } from './rules/validate-rules.ts';

const bootLogger = createLogger('invalidator');

await runService(
  async () => {
    const config = readInvalidatorConfig();
    const logger = createLogger('invalidator', { level: config.logLevel });
    const rules = await loadRuleSet(config.rulesModule, { cwd: process.cwd() });
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
