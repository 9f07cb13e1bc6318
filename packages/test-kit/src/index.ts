export { useCleanup } from './cleanup.ts';
export {
  deleteKeysWithPrefix,
  dropSlotAndPublication,
  newKafka,
  newKafkaAdmin,
  newPgClient,
  newRedis,
  newSchema,
  newTopic,
} from './resources.ts';
export { stackSettings, type StackSettings } from './stack.ts';
export { uniqueName } from './unique-name.ts';
export { waitFor, type WaitForOptions } from './wait-for.ts';
