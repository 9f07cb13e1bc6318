export { alertRulesSchema } from './alert-rules-schema.ts';
export {
  alertExpressions,
  alertRulesDocument,
  dashboardQueries,
  OBSERVABILITY_FILES,
  readRepoFile,
} from './observability-files.ts';
export { metricNamesIn } from './promql-metrics.ts';
export { K8S_DIRECTORY, readManifests, schemaProblems, type Manifest } from './k8s-manifests.ts';
