import type { RuleSet } from '@freshen/rules';
import { createLogger, type CloseList } from '@freshen/runtime';
import { newTestProducer, stackSettings, uniqueName, type TestProducer } from '@freshen/test-kit';
import {
  startInvalidator,
  type Invalidator,
  type InvalidatorOptions,
} from '../../src/invalidator.ts';
import type { RedisTarget } from '../../src/redis/redis-client.ts';

export interface TestInvalidatorOptions {
  topics: string[];
  dlqTopic: string;
  rules: RuleSet;
  groupId?: string;
  redis?: RedisTarget;
  overrides?: Partial<InvalidatorOptions>;
}

/** An invalidator on the stack (its own group), closed by `cleanup`. */
export async function startTestInvalidator(
  cleanup: CloseList,
  options: TestInvalidatorOptions,
): Promise<Invalidator> {
  const invalidator = await startInvalidator({
    kafkaBrokers: stackSettings().kafkaBrokers,
    redis: options.redis ?? { url: stackSettings().redisUrl },
    groupId: options.groupId ?? uniqueName('inv_group'),
    topics: options.topics,
    dlqTopic: options.dlqTopic,
    rules: options.rules,
    logger: createLogger('invalidator-test', { level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    metricsPort: 0,
    ...options.overrides,
  });
  cleanup.add('invalidator', () => invalidator.close());
  return invalidator;
}

/** An idempotent producer on the stack, closed by `cleanup`. */
export function newProducer(cleanup: CloseList): Promise<TestProducer> {
  return newTestProducer(cleanup);
}

/** Current value of a counter or gauge (summed over labels). */
export async function metricValue(metric: {
  get(): Promise<{ values: { value: number }[] }>;
}): Promise<number> {
  const { values } = await metric.get();
  return values.reduce((sum, entry) => sum + entry.value, 0);
}
