export { drainWithPgRecvlogical } from './bench/pg-recvlogical.ts';
export { useCleanup } from './cleanup.ts';
// Re-exported so tests find every helper in one place.
export { freePort } from '@freshen/runtime';
export {
  startPrivateKafka,
  type PrivateKafka,
  type PrivateKafkaOptions,
  type ScramUser,
} from './private-kafka.ts';
export { startPrivateRedis, type PrivateRedis } from './private-redis.ts';
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
export { stackSettings, type StackSettings } from './stack.ts';
export { uniqueName } from './unique-name.ts';
export { notYet, waitFor, type WaitForOptions } from '@freshen/runtime';
export {
  generateTestCertificates,
  type IssuedCertificate,
  type TestCertificates,
} from './tls/test-certificates.ts';
export { startPrivatePostgres, type PrivatePostgres } from './private-postgres.ts';
