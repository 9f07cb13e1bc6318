import { parser } from '@prometheus-io/lezer-promql';

/** Series Prometheus makes itself for every target; no service exposes them. */
const PROMETHEUS_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

/** Grafana's built-in variables, replaced by a value of their kind so the query parses. */
const GRAFANA_VARIABLES: [RegExp, string][] = [[/\$__rate_interval|\$__interval|\$__range/g, '5m']];

/**
 * The metric names a PromQL expression selects (Prometheus's own `up` and friends left out),
 * parsed with the Prometheus project's PromQL grammar. Throws on a syntax error, naming where.
 */
export function metricNamesIn(expression: string): string[] {
  const query = GRAFANA_VARIABLES.reduce(
    (text, [variable, value]) => text.replace(variable, value),
    expression,
  );
  const names = new Set<string>();
  const tree = parser.parse(query);
  tree.iterate({
    enter(node) {
      if (node.type.isError)
        throw new Error(
          `PromQL syntax error at ${node.from}: …${query.slice(node.from, node.from + 30)} in ${query}`,
        );
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector')
        names.add(query.slice(node.from, node.to));
    },
  });
  return [...names].filter((name) => !PROMETHEUS_SERIES.has(name));
}
