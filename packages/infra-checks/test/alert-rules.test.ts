import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import {
  alertExpressions,
  alertRulesDocument,
  alertRulesSchema,
  dashboardQueries,
  metricNamesIn,
  OBSERVABILITY_FILES,
  readRepoFile,
} from '../src/index.ts';

// strictRequired off: the oneOf branches name properties declared beside them, not inside.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
const validateRules = ajv.compile(alertRulesSchema);

describe('the Prometheus alert rules', () => {
  it('have the structure of a Prometheus rule file', () => {
    const valid = validateRules(alertRulesDocument());
    expect(validateRules.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('cover what an operator must be woken for', () => {
    const names = alertExpressions().map(({ alert }) => alert);
    expect(new Set(names).size).toBe(names.length);
    for (const needed of [
      'FreshenSlotNotStreaming',
      'FreshenWalRetainedHigh',
      'FreshenReplicationLagGrowing',
      'FreshenDeadLettersGrowing',
      'FreshenCacheHitRateLow',
      'FreshenRedisEvictionsHigh',
      'FreshenServiceNotReady',
    ])
      expect(names).toContain(needed);
  });

  it('each parse as PromQL and say how severe they are and what is wrong', () => {
    const document = alertRulesDocument() as {
      groups: { rules: { expr: string; labels?: { severity?: string }; annotations?: object }[] }[];
    };
    for (const rule of document.groups.flatMap((group) => group.rules)) {
      expect(() => metricNamesIn(rule.expr)).not.toThrow();
      expect(['critical', 'warning']).toContain(rule.labels?.severity);
      expect(rule.annotations).toHaveProperty('summary');
      expect(rule.annotations).toHaveProperty('description');
    }
  });

  it('the check rejects what Prometheus would reject', () => {
    const rule = { alert: 'X', expr: 'up == 0' };
    expect(validateRules({ groups: [{ name: 'g', rules: [rule] }] })).toBe(true);
    expect(validateRules({ groups: [{ name: 'g', rules: [{ ...rule, for: '5 minutes' }] }] })).toBe(
      false,
    );
    expect(validateRules({ groups: [{ name: 'g', rules: [{ ...rule, record: 'x' }] }] })).toBe(
      false,
    );
    expect(validateRules({ groups: [{ name: 'g', rules: [{ alert: 'X' }] }] })).toBe(false);
    expect(validateRules({ groups: [{ name: 'g', rules: [{ ...rule, labels: { a: 1 } }] }] })).toBe(
      false,
    );
    expect(() => metricNamesIn('sum(rate(freshen_x_total[5m])')).toThrow('PromQL syntax error');
  });

  it('are the file Prometheus loads in the compose stack', () => {
    const config = parse(readRepoFile(OBSERVABILITY_FILES.prometheusConfig)) as {
      rule_files: string[];
    };
    const compose = readRepoFile('docker-compose.yml');
    expect(config.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    expect(compose).toContain(`./${OBSERVABILITY_FILES.alertRules}:/etc/prometheus/alerts.yml:ro`);
  });
});

describe('the Grafana dashboard', () => {
  it('has queries that parse as PromQL, on the provisioned data source', () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(20);
    for (const { expr } of queries) expect(metricNamesIn(expr).length).toBeGreaterThan(0);
    const dashboard = JSON.parse(readRepoFile(OBSERVABILITY_FILES.dashboard)) as {
      uid: string;
      templating: { list: { name: string; current: { value: string } }[] };
      panels: { id: number }[];
    };
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const datasource = readRepoFile('infra/grafana/provisioning/datasources/prometheus.yml');
    const uid = dashboard.templating.list.find((variable) => variable.name === 'datasource')!
      .current.value;
    expect(datasource).toContain(`uid: ${uid}`);
  });
});
