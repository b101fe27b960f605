import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Imports follow one flow: front doors (http, graphql) → service → query and plan → spark,
 * arrow, encode → gen. Each folder of src/ lists the folders it must not import from.
 */
const FRONT_DOORS = ['http', 'graphql', 'app'];
const MUST_NOT_IMPORT = {
  http: ['graphql', 'app'],
  graphql: ['http', 'app'],
  auth: [...FRONT_DOORS, 'service', 'spool'],
  service: FRONT_DOORS,
  datasets: [...FRONT_DOORS, 'service', 'auth', 'spool'],
  plan: [...FRONT_DOORS, 'service', 'auth', 'datasets', 'arrow', 'encode', 'observability', 'spool'],
  query: [...FRONT_DOORS, 'service', 'auth', 'datasets', 'plan', 'spark', 'arrow', 'encode', 'observability'],
  spark: [...FRONT_DOORS, 'service', 'auth', 'datasets', 'plan', 'query', 'arrow', 'encode', 'spool'],
  spool: [...FRONT_DOORS, 'service', 'auth', 'datasets', 'plan', 'query', 'spark', 'encode'],
  arrow: [...FRONT_DOORS, 'service', 'auth', 'datasets', 'plan', 'query', 'encode', 'spool'],
  encode: [...FRONT_DOORS, 'service', 'auth', 'datasets', 'plan', 'query', 'spark', 'spool'],
  observability: [...FRONT_DOORS, 'service', 'auth', 'datasets', 'plan', 'query', 'spark', 'spool'],
  errors: [...FRONT_DOORS, 'service', 'auth', 'datasets', 'spool'],
};
const flowRules = Object.entries(MUST_NOT_IMPORT).map(([folder, forbidden]) => ({
  files: [`src/${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((target) => ({
          regex: `^(\\.\\./)+${target}(/|\\.js$)`,
          message: `src/${folder}/ must not import from src/${target}: imports follow the flow front doors → service → query, plan → spark, arrow, encode → gen.`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/', 'src/gen/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allow: [{ from: 'lib', name: 'bigint' }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 350, skipBlankLines: false, skipComments: false }] },
  },
  ...flowRules,
  {
    // The tests use the service, the containers and the benchmark's helpers; nothing uses the tests.
    files: ['containers/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+test/',
              message: 'Only tests import from test/: move what is shared out of it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'containers/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
