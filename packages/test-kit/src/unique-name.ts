import { randomBytes } from 'node:crypto';

/**
 * A name no other test (or test run) uses: `<prefix>_<8 hex>`. Lowercase letters, digits and
 * underscores only, so it is valid as a slot, publication, topic, group, schema or key prefix.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}
