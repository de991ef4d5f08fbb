import { copyFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type InlineConfig } from 'vite'

// What each runtime serves, built fresh from this checkout: for Node, `npm start`'s own bundle
// (build/relay/start.mjs); for Bun, Deno and Workers, their recipes in deploy/, each one
// self-contained module with the package's entries resolved to their sources (what `npm pack`
// ships is proven apart, in test/package). Plus what the Cloudflare tests put in front: the
// Pages Function of deploy/cloudflare-pages, and a stand-in for Cloudflare's edge.

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface HostBuilds {
  dir: string
  /** `npm start`'s relay (plain `node`, no node_modules), for every Node. */
  node: string
  bun: string
  deno: string
  /** deploy/cloudflare-workers/worker.js, for workerd. */
  worker: string
  /** deploy/cloudflare-pages' function, as a Worker module (test/hosts/fixtures/pages-worker.js). */
  pages: string
  /** Cloudflare's edge in front of a Worker: sets CF-Connecting-IP (test/hosts/fixtures). */
  edge: string
  /** The benchmarks' bare pass-through proxy, one per runtime (test/bench/fixtures/hosts). */
  passThrough: Record<'node' | 'bun' | 'deno' | 'worker', string>
}

const PACKAGE_ENTRIES = {
  'withings-link/relay': join(ROOT, 'relay/core/relay.ts'),
  'withings-link/redis': join(ROOT, 'relay/node/redis.ts'),
}

/** One module per target, everything inlined but the runtime's own modules. */
function bundle(
  entry: string,
  outDir: string,
  name: string,
  target: 'server' | 'worker',
): InlineConfig {
  const worker = target === 'worker'
  return {
    root: ROOT,
    // Not the project's vite.config.ts: its plugins, modes and test projects.
    configFile: false,
    logLevel: 'warn',
    resolve: { alias: PACKAGE_ENTRIES },
    ssr: {
      noExternal: true,
      // Workers: the packages' worker and browser builds, and no Node built-ins.
      target: worker ? 'webworker' : 'node',
      ...(worker && { resolve: { conditions: ['workerd', 'worker', 'browser', 'import'] } }),
    },
    build: {
      ssr: join(ROOT, entry),
      outDir,
      emptyOutDir: false,
      target: worker ? 'es2023' : 'node20',
      minify: false,
      rolldownOptions: {
        external: [/^cloudflare:/],
        output: { entryFileNames: name, codeSplitting: false },
      },
    },
  }
}

export async function buildHosts(dir: string): Promise<HostBuilds> {
  mkdirSync(dir, { recursive: true })
  const at = (name: string) => join(dir, name)
  await build({ root: ROOT, mode: 'relay', logLevel: 'warn', build: { outDir: at('node') } })
  const bundles: [string, string, 'server' | 'worker'][] = [
    ['deploy/bun/server.js', 'bun.mjs', 'server'],
    ['deploy/deno/server.js', 'deno.mjs', 'server'],
    ['deploy/cloudflare-workers/worker.js', 'worker.mjs', 'worker'],
    ['test/hosts/fixtures/pages-worker.js', 'pages.mjs', 'worker'],
    ['test/bench/fixtures/pass-through.ts', 'pass-through-node.mjs', 'server'],
    ['test/bench/fixtures/hosts/pass-through-bun.js', 'pass-through-bun.mjs', 'server'],
    ['test/bench/fixtures/hosts/pass-through-deno.js', 'pass-through-deno.mjs', 'server'],
    ['test/bench/fixtures/hosts/pass-through-worker.js', 'pass-through-worker.mjs', 'worker'],
  ]
  for (const [entry, name, target] of bundles) await build(bundle(entry, dir, name, target))
  copyFileSync(join(ROOT, 'test/hosts/fixtures/cloudflare-edge.js'), at('cloudflare-edge.js'))
  return {
    dir,
    node: join(dir, 'node/start.mjs'),
    bun: at('bun.mjs'),
    deno: at('deno.mjs'),
    worker: at('worker.mjs'),
    pages: at('pages.mjs'),
    edge: at('cloudflare-edge.js'),
    passThrough: {
      node: at('pass-through-node.mjs'),
      bun: at('pass-through-bun.mjs'),
      deno: at('pass-through-deno.mjs'),
      worker: at('pass-through-worker.mjs'),
    },
  }
}
