// Builds and packs the packages an application installs — @freshen/keys, @freshen/rules and
// @freshen/cache, with the workspace packages they depend on — into npm tarballs in .pack/.
//   node scripts/pack-packages.ts            (prints the tarball paths, one per line)
//
// Inside the workspace every package exports its TypeScript source (Node runs it directly, so
// nothing needs building during development). An installed package must serve JavaScript and
// declaration files instead, so each package is staged in .pack/<name>/ with its compiled
// dist/, its README and a manifest whose exports map points at dist, whose workspace
// dependencies carry exact versions, and which has no scripts or devDependencies. `npm pack`
// runs in that folder. Packing a package from its own folder is refused (prepack), because
// that manifest points at src/.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

/** What an application installs, dependencies first. */
export const PUBLISHED = [
  'config',
  'runtime',
  'change-event',
  'keys',
  'storage',
  'redis-client',
  'rules',
  'cache',
];

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  [field: string]: unknown;
}

const root = process.cwd();
const out = path.join(root, '.pack');

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
}

const versions = new Map(
  PUBLISHED.map((name) => {
    const manifest = readManifest(path.join(root, 'packages', name));
    return [manifest.name, manifest.version];
  }),
);

function stagedManifest(source: Manifest): Manifest {
  const { scripts: _scripts, devDependencies: _dev, exports: _exports, ...rest } = source;
  const dependencies: Record<string, string> = {};
  for (const [name, range] of Object.entries(source.dependencies ?? {})) {
    if (!name.startsWith('@freshen/')) {
      dependencies[name] = range;
      continue;
    }
    const version = versions.get(name);
    if (!version) throw new Error(`${source.name} depends on ${name}, which is not packed`);
    dependencies[name] = version;
  }
  return {
    ...rest,
    dependencies,
    exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } },
    types: './dist/index.d.ts',
    files: ['dist', 'README.md'],
    engines: { node: '>=22' },
  };
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const tarballs: string[] = [];
for (const name of PUBLISHED) {
  const dir = path.join(root, 'packages', name);
  const stage = path.join(out, name);
  mkdirSync(stage);
  execFileSync(
    'npx',
    [
      'tsc',
      '-p',
      'tsconfig.build.json',
      '--outDir',
      path.join(stage, 'dist'),
      '--sourceMap',
      'false',
    ],
    { cwd: dir, stdio: 'inherit' },
  );
  // Files the code reads beside itself (the runtime's status page): tsc copies only code.
  cpSync(path.join(dir, 'src'), path.join(stage, 'dist'), {
    recursive: true,
    filter: (source) => statSync(source).isDirectory() || !source.endsWith('.ts'),
  });
  if (!existsSync(path.join(dir, 'README.md'))) throw new Error(`packages/${name} has no README`);
  cpSync(path.join(dir, 'README.md'), path.join(stage, 'README.md'));
  writeFileSync(
    path.join(stage, 'package.json'),
    `${JSON.stringify(stagedManifest(readManifest(dir)), null, 2)}\n`,
  );
  const file = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], {
    cwd: stage,
    encoding: 'utf8',
  }).trim();
  tarballs.push(path.join(out, file.split('\n').pop()!));
}
process.stdout.write(`${tarballs.join('\n')}\n`);
