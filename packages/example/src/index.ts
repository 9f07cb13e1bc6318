export { createExampleRules, exampleRules } from './example-rules.ts';
export { createExampleKeys, exampleKeys, type ExampleKeys } from './keys.ts';
export { EXAMPLE_SCHEMA_SQL } from './schema-sql.ts';
