import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ROOT } from './builds'

// The SPA's sizes, measured on production builds (see spa-build.ts for exactly how). Shared by
// `npm run bench`, which reports them, and test/quality/spa-budget.test.ts, which enforces them.

/** Bytes, gzip -9; 1 kB = 1000 bytes. */
export const SPA_BUDGETS = {
  /** Entry chunk and its static imports: what the first page loads before it can run. */
  firstLoadBytes: 95_000,
  /** The auth client's own code: every module of web/react/auth/. */
  authClientBytes: 4_000,
} as const

/**
 * Where the words for the person live (the sentence for every error code, the scope table of
 * the Connect form): web/react/copy/, apart from the client code, as OAuth libraries ship no such
 * copy. Reported beside the client's share.
 */
export const COPY_DIR = 'web/react/copy/'

export interface SpaSizes {
  firstLoad: { bytes: number; files: string[] }
  authClient: { bytes: number; modules: string[] }
  copy: { bytes: number; modules: string[] }
  /** The reference: React 19, react-dom and react-router rendering one route, nothing else. */
  reactRouter: { bytes: number }
}

const run = promisify(execFile)

/**
 * Builds the SPA into `outDir` (served as is by the browser benchmark) and measures it. The
 * builds run in their own process with NODE_ENV=production, as `vite build` runs from a shell:
 * inside Vitest, NODE_ENV=test would select React's development bundle.
 */
export async function measureSpa(outDir: string): Promise<SpaSizes> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'test/bench/spa-build.ts'), outDir],
    { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' }, maxBuffer: 4 * 1024 * 1024 },
  )
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as SpaSizes
}
