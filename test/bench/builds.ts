import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'

// What the benchmarks run, built fresh from this checkout. Inside the repository, so the
// package.json's "type": "module" applies to every chunk as it does to build/relay.

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const ARTIFACTS = join(ROOT, 'test/.artifacts/bench')

export interface Builds {
  /** `build/relay/start.mjs` as `npm run build:app` makes it. */
  relay: string
  /** The reference servers and the emulator as single-file bundles for plain `node`. */
  hello: string
  passThrough: string
  emulator: string
  /** The relay with a Redis store when REDIS_URL is set, and the bare SSE fan-out (item 8). */
  liveRelay: string
  bareSse: string
  /** The sync's reference (items 12): a notification's fetch, write and signed POST, bare. */
  bareWebhook: string
}

export async function buildServers(): Promise<Builds> {
  const relayDir = join(ARTIFACTS, 'relay')
  const fixturesDir = join(ARTIFACTS, 'fixtures')
  await build({ root: ROOT, mode: 'relay', logLevel: 'warn', build: { outDir: relayDir } })
  // The fixtures are bundled the way the relay is (vite.config.ts, relay mode): same target,
  // everything inlined, so a start-up comparison compares the code and not the module loading.
  await build({
    root: ROOT,
    configFile: false,
    logLevel: 'warn',
    ssr: { noExternal: true, target: 'node' },
    build: {
      ssr: true,
      target: 'node20',
      outDir: fixturesDir,
      emptyOutDir: true,
      rolldownOptions: {
        input: {
          hello: join(ROOT, 'test/bench/fixtures/hello.ts'),
          'pass-through': join(ROOT, 'test/bench/fixtures/pass-through.ts'),
          emulator: join(ROOT, 'test/bench/fixtures/emulator.ts'),
          'live-relay': join(ROOT, 'test/bench/fixtures/live-relay.ts'),
          'bare-sse': join(ROOT, 'test/bench/fixtures/bare-sse.ts'),
          'bare-webhook': join(ROOT, 'test/bench/fixtures/bare-webhook.ts'),
        },
        output: { entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' },
      },
    },
  })
  return {
    relay: join(relayDir, 'start.mjs'),
    hello: join(fixturesDir, 'hello.mjs'),
    passThrough: join(fixturesDir, 'pass-through.mjs'),
    emulator: join(fixturesDir, 'emulator.mjs'),
    liveRelay: join(fixturesDir, 'live-relay.mjs'),
    bareSse: join(fixturesDir, 'bare-sse.mjs'),
    bareWebhook: join(fixturesDir, 'bare-webhook.mjs'),
  }
}
