// A rules module for the invalidator's RULES_MODULE: the example rules for the schema and key
// prefix in EXAMPLE_RULES_SCHEMA / EXAMPLE_RULES_KEY_PREFIX, so the stress test, the consistency
// checker and the demo each run the pipeline on their own schema and keyspace. A rules module
// is evaluated on import by design (its default export is the RuleSet), hence the env read here.
import { readConfig, string } from '@freshen/config';
import { createExampleKeys, createExampleRules } from '@freshen/example';

const config = readConfig(
  {
    EXAMPLE_RULES_SCHEMA: string({
      default: 'public',
      pattern: /^[a-z_][a-z0-9_]*$/,
      doc: 'Schema of the example tables.',
    }),
    EXAMPLE_RULES_KEY_PREFIX: string({
      default: 'app',
      pattern: /^[a-z0-9_-]+$/,
      doc: 'Keyspace prefix of the example keys.',
    }),
  },
  process.env,
);

export default createExampleRules(
  config.EXAMPLE_RULES_SCHEMA,
  createExampleKeys(config.EXAMPLE_RULES_KEY_PREFIX),
);
