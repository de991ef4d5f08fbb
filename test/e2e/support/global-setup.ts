import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { SPA_DIR } from './paths'

const VITE = fileURLToPath(new URL('../../../node_modules/vite/bin/vite.js', import.meta.url))

/**
 * Builds the SPA once for the whole browser suite: the tests serve what users get. The build runs
 * as `vite build` would from a shell, with NODE_ENV=production: inside Vitest's own process,
 * NODE_ENV=test gives React's development bundle and the module runner rewrites the `import.meta`
 * of Vite's preload helper, which breaks the lazy-loaded routes.
 */
export default function buildSpaOnce() {
  execFileSync(
    process.execPath,
    [VITE, 'build', '--outDir', SPA_DIR, '--emptyOutDir', '--logLevel', 'warn'],
    { env: { ...process.env, NODE_ENV: 'production' }, stdio: 'inherit' },
  )
}
