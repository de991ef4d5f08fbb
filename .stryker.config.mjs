// Mutation testing (`npm run mutate`, not part of `npm test`): Stryker changes the code of the
// folders below one edit at a time and runs the tests of test/mutation/vitest.config.ts against
// each change; a change no test notices is a survivor, shown in the report.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'test/mutation/vitest.config.ts' },
  coverageAnalysis: 'perTest',
  // Every folder of the relay and the React kit. A whole run takes hours on two cores: run one
  // folder at a time, e.g. `npx stryker run .stryker.config.mjs --mutate 'relay/core/notify/**/*.ts'
  // --concurrency 1` (docs/testing.md has the scores). Left out: the server's two entries, which
  // the tests start as child processes, where Stryker cannot switch mutants on.
  mutate: [
    'relay/contract/**/*.ts',
    'relay/core/**/*.ts',
    'relay/node/**/*.ts',
    'relay/emulator/**/*.ts',
    'relay/server/**/*.ts',
    'relay/sync/**/*.ts',
    '!relay/server/start.ts',
    '!relay/server/start-dev.ts',
    'web/react/**/*.{ts,tsx}',
  ],
  ignorePatterns: ['build', 'dist', 'docs', 'test/.artifacts'],
  // Stryker rewrites the tsconfig's paths with the `typescript` package's JS API, which
  // TypeScript 7 (the native compiler) no longer has; the sandbox keeps the tree's layout, so
  // nothing needs rewriting: point it at no file.
  tsconfigFile: 'test/mutation/no-tsconfig-to-rewrite.json',
  tempDirName: 'test/.artifacts/stryker-tmp',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'test/.artifacts/mutation/index.html' },
  jsonReporter: { fileName: 'test/.artifacts/mutation/report.json' },
  concurrency: 2,
  timeoutMS: 20_000,
  thresholds: { high: 85, low: 70, break: null },
}
