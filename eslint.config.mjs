import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.scenegate/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test registers tests through the promises these return; the runner awaits them
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['test', 'it', 'describe', 'suite'], package: 'node:test' },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node APIs, no I/O clients,
    // and activities only as types, so the bundle never pulls side effects in.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Workflow code is sandboxed: no Node built-ins.' },
            {
              group: ['fs', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net', 'stream', 'timers'],
              message: 'Workflow code is sandboxed: no Node built-ins.',
            },
            { group: ['replicate'], message: 'Call Replicate from an activity, never from a workflow.' },
            {
              group: ['@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing'],
              message: 'Only @temporalio/workflow and @temporalio/common belong in workflow code.',
            },
            {
              group: ['../activities', '../activities/*', '../emulator/*', '../media/*', '../devenv/*'],
              allowTypeImports: true,
              message: 'Import activities as types only (import type).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  }
);
