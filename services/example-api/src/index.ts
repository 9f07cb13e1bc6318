export { CONFIG_SCHEMA, readApiConfig, type ApiConfig } from './config.ts';
export { CachedReads } from './data/cached-reads.ts';
export { ExampleStore } from './data/example-store.ts';
export type { Membership, Order, Product, Team, User } from './data/rows.ts';
export { startExampleApi, type ExampleApi } from './example-api.ts';
