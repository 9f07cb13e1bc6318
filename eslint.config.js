// One lint config for every workspace; each workspace's `lint` task runs eslint on its own folder.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '.stack/**', '.jest/**', '.bench/**', '**/*.cjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'exit',
          message: 'Libraries never exit the process; only a service entry point (main.ts) may.',
        },
      ],
    },
  },
  {
    // Entry points, and the one helper they call to handle signals, may end the process.
    files: ['**/main.ts', '**/lifecycle/run-service.ts', 'scripts/**', 'infra/**', '**/bin/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
