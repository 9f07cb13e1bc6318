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
  const cache = new Map<string, string>();
  return (schema, table) => {
    const id = `${schema}\u0000${table}`;
    let topic = cache.get(id);
    if (topic === undefined) {
      topic = template
        .replaceAll('{prefix}', prefix)
        .replaceAll('{schema}', schema)
        .replaceAll('{table}', table)
        .replace(/[^a-zA-Z0-9._-]/g, '_');
      cache.set(id, topic);
    }
    return topic;
  };
}
