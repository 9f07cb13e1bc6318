#!/usr/bin/env bash
# Scaffolds a workspace with the house layout: scripts for turbo's build/typecheck/lint/test,
# TypeScript configs, and a jest config on the shared preset.
#   scripts/new-workspace.sh packages|services <name> "<one-line description>"
set -euo pipefail
group="$1" name="$2" description="$3"
dir="$(cd "$(dirname "$0")/.." && pwd)/$group/$name"
[ -e "$dir/package.json" ] && { echo "$dir already exists" >&2; exit 1; }
mkdir -p "$dir/src" "$dir/test"
cat >"$dir/package.json" <<EOF
{
  "name": "@freshen/$name",
  "version": "0.1.0",
  "private": true,
  "description": "$description",
  "type": "module",
  "exports": {
    ".": "./src/index.ts"
  },
  "scripts": {
    "build": "tsc -p tsconfig.build.json",
    "typecheck": "tsc --noEmit -p tsconfig.json",
    "lint": "eslint .",
    "test": "NODE_OPTIONS=--experimental-vm-modules jest"
  }
}
EOF
cat >"$dir/tsconfig.json" <<'EOF'
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "noEmit": true, "types": ["node", "jest"] },
  "include": ["src", "test"]
}
EOF
cat >"$dir/tsconfig.build.json" <<'EOF'
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist" },
  "include": ["src"]
}
EOF
cat >"$dir/jest.config.cjs" <<EOF
module.exports = { ...require('../../jest.preset.cjs'), displayName: '$name' };
EOF
echo "created $group/$name"
