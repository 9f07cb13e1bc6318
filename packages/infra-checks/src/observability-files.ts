import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '@freshen/harness';
import { parse } from 'yaml';

/** Where the dashboard and the Prometheus files live in the repository. */
export const OBSERVABILITY_FILES = {
  dashboard: 'infra/grafana/dashboards/freshen-pipeline.json',
  alertRules: 'infra/prometheus/alerts.yml',
  prometheusConfig: 'infra/prometheus/prometheus.yml',
} as const;

export const readRepoFile = (file: string): string =>
  readFileSync(path.join(findRepoRoot(), file), 'utf8');

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

/** Every query of the dashboard, with the title of its panel. */
export function dashboardQueries(): { panel: string; expr: string }[] {
  const dashboard = JSON.parse(readRepoFile(OBSERVABILITY_FILES.dashboard)) as { panels: Panel[] };
  const queries: { panel: string; expr: string }[] = [];
  const visit = (panels: Panel[]) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? [])
        if (target.expr) queries.push({ panel: panel.title ?? '(untitled)', expr: target.expr });
      visit(panel.panels ?? []);
    }
  };
  visit(dashboard.panels);
  return queries;
}

/** The alert rule file as parsed YAML (checked against alertRulesSchema by the tests). */
export function alertRulesDocument(): unknown {
  return parse(readRepoFile(OBSERVABILITY_FILES.alertRules));
}

/** Every rule's expression, with the rule's name. */
export function alertExpressions(): { alert: string; expr: string }[] {
  const document = alertRulesDocument() as {
    groups: { rules: { alert?: string; record?: string; expr: string }[] }[];
  };
  return document.groups.flatMap((group) =>
    group.rules.map((rule) => ({ alert: rule.alert ?? rule.record ?? '?', expr: rule.expr })),
  );
}
