import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Forbids a folder's files from importing the folders above it. */
function layer(files, above) {
  return [
    {
      files: [files],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: above.map((folder) => ({
              group: [`../${folder}`, `../${folder}/*`, `../../${folder}`, `../../${folder}/*`],
              message: `${files.split('/')[0]}/ sits below ${folder}/: an import may not run upward.`,
            })),
          },
        ],
      },
    },
  ];
}

export default tseslint.config(
  { ignores: ['node_modules/**', '.scenegate/**', 'test/fixtures/**', 'dist/**'] },
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
  // Layers, lowest first: schema → common → media → activities | workflows → worker | client → devenv, emulator, bench, test.
  // A folder imports only from layers below it, so no import runs upward (activities → devenv, worker → client, ...).
  ...layer('schema/**/*.ts', ['common', 'media', 'activities', 'workflows', 'worker', 'client', 'devenv', 'emulator']),
  ...layer('common/**/*.ts', ['media', 'activities', 'workflows', 'worker', 'client', 'devenv', 'emulator']),
  ...layer('media/**/*.ts', ['activities', 'workflows', 'worker', 'client', 'devenv', 'emulator']),
  ...layer('activities/**/*.ts', ['workflows', 'worker', 'client', 'devenv', 'emulator']),
  ...layer('worker/**/*.ts', ['client', 'devenv', 'emulator']),
  ...layer('client/**/*.ts', ['activities', 'worker', 'devenv', 'emulator', 'media']),
  ...layer('emulator/**/*.ts', ['activities', 'workflows', 'worker', 'client', 'devenv']),
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
            {
              group: ['../common/*', '../worker/*', '../client/*'],
              message: 'Workflow code imports only @temporalio/workflow, the schema and pure helpers.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // the console's page script runs in the browser
    files: ['client/console/assets/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'document',
          'HTMLFormElement',
          'fetch',
          'URLSearchParams',
          'FormData',
          'CSS',
          'queueMicrotask',
          'EventSource',
          'window',
          'Node',
        ].map((name) => [name, 'readonly'])
      ),
    },
  }
);
