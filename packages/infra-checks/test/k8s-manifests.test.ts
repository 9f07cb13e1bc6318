import { FRESHEN_VARIABLES } from '@freshen/config';
import { readManifests, schemaProblems, type Manifest } from '../src/index.ts';

interface Container {
  name: string;
  image: string;
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface Deployment extends Manifest {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } };
  };
}

const manifests = readManifests();
const ofKind = <T extends Manifest>(kind: string) =>
  manifests.filter((m) => m.kind === kind) as T[];
const deployments = ofKind<Deployment>('Deployment');
const named = (name: string) => deployments.find((d) => d.metadata.name === name)!;
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

describe('the Kubernetes manifests (infra/k8s)', () => {
  it('validate against the Kubernetes API schemas', async () => {
    expect(manifests.map((m) => m.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'Deployment',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'PodDisruptionBudget',
      'Secret',
    ]);
    const problems = (await Promise.all(manifests.map(schemaProblems))).flat();
    expect(problems).toEqual([]);
  });

  it('the schema check rejects what the API server would reject', async () => {
    const reader = named('freshen-cdc-reader');
    const broken = { ...reader, spec: { ...reader.spec, replicas: 'two' } } as unknown as Manifest;
    expect((await schemaProblems(broken)).join()).toMatch(/replicas must be integer/);
    const unnamed = structuredClone(reader);
    delete (unnamed.spec.template.spec.containers[0] as Partial<Container>).name;
    expect((await schemaProblems(unnamed)).join()).toMatch(
      /containers\/0 must have required property name/,
    );
    const unknownKind = { ...reader, kind: 'Deploymnet' };
    expect((await schemaProblems(unknownKind)).join()).toMatch(/no Kubernetes schema/);
  });

  it('run two readers on one slot and a scalable invalidator, each with probes on its ops port', () => {
    expect(named('freshen-cdc-reader').spec.replicas).toBe(2);
    const autoscaler = ofKind<Manifest & { spec: { scaleTargetRef: { name: string } } }>(
      'HorizontalPodAutoscaler',
    );
    expect(autoscaler.map((hpa) => hpa.spec.scaleTargetRef.name)).toEqual(['freshen-invalidator']);
    const config = ofKind<Manifest & { data: Record<string, string> }>('ConfigMap')[0]!;
    for (const deployment of deployments) {
      const { selector, template } = deployment.spec;
      expect(selects(selector.matchLabels, template.metadata.labels)).toBe(true);
      const [container] = template.spec.containers;
      const ops = container!.ports!.find((port) => port.name === 'ops')!;
      expect(String(ops.containerPort)).toBe(config.data.METRICS_PORT);
      expect(container!.livenessProbe!.httpGet).toEqual({ path: '/healthz', port: 'ops' });
      expect(container!.readinessProbe!.httpGet).toEqual({ path: '/readyz', port: 'ops' });
      expect(container!.resources!.requests).toHaveProperty('memory');
      expect(container!.resources!.limits).toHaveProperty('memory');
    }
  });

  it('take configuration from the ConfigMap and secrets from the Secret, all of them Freshen variables', () => {
    const sources = deployments.flatMap((d) =>
      d.spec.template.spec.containers.flatMap((c) => c.envFrom ?? []),
    );
    const exists = (kind: string, name?: string) =>
      manifests.some((m) => m.kind === kind && m.metadata.name === name);
    for (const source of sources) {
      if (source.configMapRef) expect(exists('ConfigMap', source.configMapRef.name)).toBe(true);
      if (source.secretRef) expect(exists('Secret', source.secretRef.name)).toBe(true);
    }
    const config = ofKind<Manifest & { data: Record<string, string> }>('ConfigMap')[0]!;
    const secret = ofKind<Manifest & { stringData: Record<string, string> }>('Secret')[0]!;
    const names = [...Object.keys(config.data), ...Object.keys(secret.stringData)];
    expect(names.filter((name) => !FRESHEN_VARIABLES.includes(name))).toEqual([]);
    // Credentials only in the Secret.
    expect(Object.keys(config.data).filter((name) => /URL|PASSWORD/.test(name))).toEqual([]);
    expect(Object.keys(secret.stringData).sort()).toEqual(['DATABASE_URL', 'REDIS_URL']);
  });

  it('have a PodDisruptionBudget for each Deployment', () => {
    const budgets = ofKind<
      Manifest & { spec: { selector: { matchLabels: Record<string, string> } } }
    >('PodDisruptionBudget');
    for (const deployment of deployments) {
      const covering = budgets.filter((budget) =>
        selects(budget.spec.selector.matchLabels, deployment.spec.template.metadata.labels),
      );
      expect(covering).toHaveLength(1);
    }
  });
});
