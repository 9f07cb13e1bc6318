// `npm test` runs every workspace's tests in one jest run so CI gets one JSON result file.
const { readdirSync, existsSync } = require('node:fs');
const path = require('node:path');

const projects = ['packages', 'services'].flatMap((group) =>
  readdirSync(path.join(__dirname, group))
    .map((name) => path.join(__dirname, group, name))
    .filter((dir) => existsSync(path.join(dir, 'jest.config.cjs'))),
);

/** @type {import('jest').Config} */
// testTimeout is a global option: in projects mode the per-project preset value is ignored.
module.exports = { projects, testTimeout: 60_000 };
