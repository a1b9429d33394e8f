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
  prettier
)
