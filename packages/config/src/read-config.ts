import { ConfigError } from './config-error.ts';
import type { ConfigOf, Env, Schema } from './option.ts';
import { unknownVariableProblems } from './variables/unknown-variables.ts';

/**
 * Validates every option of the schema against the environment at once and returns the
 * typed configuration, or throws one ConfigError listing every problem (not just the first),
 * each naming the variable, what is wrong, and what a valid value looks like. A variable that
 * looks like one of Freshen's but is not (SLOT_NAM) is a problem too: every service and
 * command reads its settings here, so they all refuse the same typos.
 */
export function readConfig<S extends Schema>(schema: S, env: Env): ConfigOf<S> {
  const problems: string[] = unknownVariableProblems(env, Object.keys(schema));
  const config: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(schema)) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') {
      if (option.default === undefined) {
        problems.push(`${name} is not set. Set it to ${option.expected} (${option.doc})`);
      } else {
        config[name] = option.default;
      }
      continue;
    }
    try {
      config[name] = option.parse(raw.trim());
    } catch (error) {
      const shown = option.secret ? '<hidden>' : JSON.stringify(raw);
      problems.push(`${name}=${shown} is invalid: ${(error as Error).message}. ${option.doc}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config as ConfigOf<S>;
}

/** Lists a schema's options with their defaults, for a service's `--help`. */
export function describeConfig(schema: Schema): string {
  return Object.entries(schema)
    .map(([name, option]) => {
      const fallback =
        option.default === undefined
          ? 'required'
          : option.secret
            ? 'default <hidden>'
            : `default ${JSON.stringify(option.default)}`;
      return `${name}  (${option.expected}; ${fallback})\n    ${option.doc}`;
    })
    .join('\n');
}
