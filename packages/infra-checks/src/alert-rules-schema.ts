/**
 * The structure of a Prometheus rule file (what `promtool check rules` checks before PromQL):
 * groups with unique names, each rule either an alert or a recording rule with an expression,
 * durations in Prometheus's syntax, string labels and annotations. JSON Schema draft 2020-12
 * for Ajv. https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/
 */
const duration = {
  type: 'string',
  pattern: '^((\\d+y)?(\\d+w)?(\\d+d)?(\\d+h)?(\\d+m)?(\\d+s)?(\\d+ms)?|0)$',
  minLength: 1,
};
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };

export const alertRulesSchema = {
  type: 'object',
  required: ['groups'],
  additionalProperties: false,
  properties: {
    groups: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'rules'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1 },
          interval: duration,
          limit: { type: 'integer', minimum: 0 },
          rules: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['expr'],
              additionalProperties: false,
              oneOf: [
                { required: ['alert'], not: { required: ['record'] } },
                {
                  required: ['record'],
                  not: { required: ['alert'] },
                  properties: { for: false, keep_firing_for: false, annotations: false },
                },
              ],
              properties: {
                alert: { type: 'string', pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' },
                record: { type: 'string', pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*$' },
                expr: { type: 'string', minLength: 1 },
                for: duration,
                keep_firing_for: duration,
                labels: stringMap,
                annotations: stringMap,
              },
            },
          },
        },
      },
    },
  },
} as const;
