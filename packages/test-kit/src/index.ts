export { drainWithPgRecvlogical } from './bench/pg-recvlogical.ts';
export { CpuMeter, machineCpuSeconds, processCpuSeconds } from './bench/process-cpu.ts';
export { serviceNodeFlags } from './bench/service-node-flags.ts';
export { useCleanup } from './cleanup.ts';
// Re-exported so tests find every helper in one place.
export { freePort } from '@freshen/runtime';
export {
  startPrivatePostgres,
  type PrivatePostgres,
  type PrivatePostgresOptions,
} from './private-postgres.ts';
export {
  startPrivateKafka,
  type PrivateKafka,
  type PrivateKafkaOptions,
  type ScramUser,
} from './private-kafka.ts';
export {
  startPrivateRedis,
  testTlsOptions,
  type PrivateRedis,
  type PrivateRedisOptions,
  type RedisTestUser,
} from './private-redis.ts';
export { startPrivateRedisCluster, type PrivateRedisCluster } from './private-redis-cluster.ts';
export { startPrivateRedisSentinel, type PrivateRedisSentinel } from './private-redis-sentinel.ts';
export {
  deleteKeysWithPrefix,
  newPgClient,
  newRedis,
  newRedisCluster,
  redisTopologies,
  newSchema,
} from './resources.ts';
// Re-exported so tests find every helper in one place.
export { committedOffsets, topicEnds, topicStarts } from '@freshen/kafka';
export {
  kafkaConnection,
  newKafkaAdmin,
  newTestProducer,
  newTopic,
  readMessages,
  type ReadMessage,
  type TestMessage,
  type TestProducer,
} from './kafka-clients.ts';
export { jsonLines } from './json-lines.ts';
export { stackKafkaPid, stackSettings, type StackSettings } from './stack.ts';
export { uniqueName } from './unique-name.ts';
export { notYet, waitFor, type WaitForOptions } from '@freshen/runtime';
export {
  generateTestCertificates,
  type IssuedCertificate,
  type TestCertificates,
} from './tls/test-certificates.ts';
