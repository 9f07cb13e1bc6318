import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Env } from './option.ts';

/** Finds `.stack/env` in `start` or the nearest folder above it that has one. */
export function findStackEnvFile(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, '.stack', 'env');
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Parses dotenv text: `NAME=value` lines; `#` comments and blank lines are ignored. */
export function parseDotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    values[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}

/**
 * The environment with the local stack's settings (written by `npm run stack:up`) filled in
 * for variables that are not already set. Variables set in `env` always win.
 */
export function withStackEnv(env: Env, cwd: string): Env {
  const file = findStackEnvFile(cwd);
  if (!file) return env;
  const fromStack = parseDotenv(readFileSync(file, 'utf8'));
  const merged: Record<string, string | undefined> = { ...fromStack };
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') merged[name] = value;
  }
  return merged;
}
