// One linter for the whole repository; prettier owns formatting.
import tseslint from 'typescript-eslint'
import prettier from 'eslint-config-prettier'

// The API core must stay web-standard so it runs unchanged on Node and Deno (DESIGN §3).
const webStandardOnly = {
  files: ['api/src/**/*.ts'],
  ignores: ['api/src/node.ts', 'api/src/deno.ts', 'api/src/adapters/**', 'api/src/cli/**'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: ['node:*'], message: 'Runtime-specific: put it in api/src/adapters/.' },
        ],
        paths: ['busboy', 'pg', 'ws', '@hono/node-server', '@hono/node-ws', 'prom-client'].map(
          (name) => ({
            name,
            message: 'Runtime-specific: adapters only.',
          })
        ),
      },
    ],
    'no-restricted-globals': [
      'error',
      { name: 'process', message: 'Read config in the entry file and inject it.' },
      { name: 'Deno', message: 'Runtime-specific: entry files only.' },
      { name: 'Buffer', message: 'Use Uint8Array.' },
    ],
  },
}

// The HTTP contract (api/src/contract/) is shared with the PWA: zod and its own files only, so
// the browser can read it (no runtime, no route, no store).
const contractStandsAlone = {
  files: ['api/src/contract/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: '^(?!zod$|\\./)',
            message: 'The contract imports only zod and its own files (the PWA reads it too).',
          },
        ],
      },
    ],
  },
}

// The PWA sees the API only through its contract, and takes only types from it, apart from
// names.ts and retry.ts (no imports), so nothing of the API, zod included, ends up in the bundle.
const webReadsOnlyTheContract = {
  files: ['web/**/*.{ts,tsx}'],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: '/api/src/(?!contract/)',
            message: 'Import the API contract (api/src/contract/), never a route or module.',
          },
          {
            regex: '/api/src/contract/(?!(names|retry)\\.ts$)',
            allowTypeImports: true,
            message: 'Only types from the contract; its run-time values live in names.ts.',
          },
        ],
      },
    ],
  },
}

// The operator's settings are read once, through ops/lib/env.ts (its zod schema, `loadOpsEnv`);
// passing the environment on to a command goes through its `childEnv`. Nothing else in ops/
// touches process.env.
const opsReadSettingsThroughEnv = {
  files: ['ops/**/*.ts'],
  ignores: ['ops/lib/env.ts'],
  rules: {
    'no-restricted-properties': [
      'error',
      {
        object: 'process',
        property: 'env',
        message:
          'Read settings through loadOpsEnv (ops/lib/env.ts, OpsEnvSchema); pass env to a command with childEnv.',
      },
    ],
  },
}

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'coverage/**', 'build/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  webStandardOnly,
  contractStandsAlone,
  webReadsOnlyTheContract,
  opsReadSettingsThroughEnv,
  prettier
)
