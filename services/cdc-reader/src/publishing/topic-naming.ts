/**
 * Topic for a table's events, from a template with `{prefix}`, `{schema}` and `{table}`
 * (default `{prefix}.{schema}.{table}`: one topic per table). Characters Kafka does not allow
 * in topic names (anything outside `[a-zA-Z0-9._-]`) become `_`.
 */
export const DEFAULT_TOPIC_TEMPLATE = '{prefix}.{schema}.{table}';

export function topicNamer(
  template: string,
  prefix: string,
): (schema: string, table: string) => string {
  // Schema, then table: a lookup per event that builds no string (this runs for every row).
  const cache = new Map<string, Map<string, string>>();
  return (schema, table) => {
    let tables = cache.get(schema);
    if (tables === undefined) cache.set(schema, (tables = new Map()));
    let topic = tables.get(table);
    if (topic === undefined) {
      topic = template
        .replaceAll('{prefix}', prefix)
        .replaceAll('{schema}', schema)
        .replaceAll('{table}', table)
        .replace(/[^a-zA-Z0-9._-]/g, '_');
      tables.set(table, topic);
    }
    return topic;
  };
}
