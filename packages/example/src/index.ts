export { createExampleRules, exampleRules } from './example-rules.ts';
export { createExampleKeys, exampleKeys, type ExampleKeys } from './keys.ts';
export { EXAMPLE_SCHEMA_SQL } from './schema-sql.ts';
export { CachedReads, type OrderField } from './data/cached-reads.ts';
export { ExampleStore } from './data/example-store.ts';
export { StructureReads, type LeaderboardEntry } from './data/structure-reads.ts';
export { PG_SESSION_OPTIONS } from './data/pg-session.ts';
export type { Membership, Order, Product, Team, User } from './data/rows.ts';
export { StoreError } from './data/store-error.ts';
