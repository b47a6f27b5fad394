import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
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
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.json'] })],
      // import-x reads only .js modules' imports unless told: without this no-cycle sees no TypeScript
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      // a cycle makes the layers' order meaningless and, inside workflows/, loads a module before its dependency
      'import-x/no-cycle': 'error',
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
  // Layers, lowest first: schema → common → media → activities | workflows → worker | client → devenv, emulator, bench, test
  // (README's "Layout"). A folder imports only from layers below it, so no import runs upward (activities → devenv, ...).
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
    // Rule classes are plain TypeScript, unit-tested without a server: no Temporal API at all.
    files: ['workflows/rules/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@temporalio/*'], message: 'workflows/rules/ holds pure rules: drive Temporal from workflows/.' },
            { group: ['node:*', 'replicate'], message: 'workflows/rules/ holds pure rules: no I/O.' },
            {
              regex: '^\\.\\./(?!\\.\\./schema/)',
              message: 'A rule imports only other rules and the schema, never the drivers beside it.',
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
