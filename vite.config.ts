import { execFileSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import react from '@vitejs/plugin-react'
import type { Plugin } from 'vite'
import { defineConfig } from 'vitest/config'
import { domProject, nodeProject } from './test/support/test-projects.ts'

const require = createRequire(import.meta.url)

/**
 * Writes .br and .gz twins of the SPA's text assets once, at build time, so that servers send
 * them compressed at no cost per request (the Node server and nginx's gzip_static pick them up).
 */
function precompress(): Plugin {
  return {
    name: 'withings-link:precompress',
    apply: 'build',
    writeBundle({ dir = 'dist' }) {
      const assets = join(dir, 'assets')
      for (const file of readdirSync(assets).filter((name) => /\.(js|css|svg)$/.test(name))) {
        const source = readFileSync(join(assets, file))
        if (source.byteLength < 1024) continue
        writeFileSync(join(assets, `${file}.gz`), gzipSync(source, { level: 9 }))
        const quality = { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY }
        writeFileSync(join(assets, `${file}.br`), brotliCompressSync(source, { params: quality }))
      }
    },
  }
}

/**
 * PGlite, the embedded Postgres, finds its engine beside its own code (`new URL('./pglite.wasm',
 * import.meta.url)`): the relay bundle carries the three files next to the chunks that load them.
 */
function pgliteFiles(): Plugin {
  return {
    name: 'withings-link:pglite-files',
    apply: 'build',
    writeBundle({ dir = 'build/relay' }) {
      const into = join(dir, 'assets')
      mkdirSync(into, { recursive: true })
      for (const file of ['pglite.wasm', 'pglite.data', 'initdb.wasm']) {
        copyFileSync(require.resolve(`@electric-sql/pglite/${file}`), join(into, file))
      }
    },
  }
}

/** The package's entry points (package.json `exports`): each becomes build/lib/<name>.js. */
const LIBRARY_ENTRIES = {
  relay: 'relay/core/relay.ts',
  node: 'relay/node/node.ts',
  emulator: 'relay/emulator/emulator.ts',
  react: 'web/react/react.ts',
  sync: 'relay/sync/sync.ts',
  redis: 'relay/node/redis.ts',
}
const LIBRARY_DIR = 'build/lib'

/**
 * The package's type declarations, beside its JavaScript: `tsc` emits them per source file into
 * build/lib/types, then their relative imports get the `.js` that Node's own resolution
 * (moduleResolution node16/nodenext) needs, as the sources are written for a bundler.
 */
function declarations(): Plugin {
  return {
    name: 'withings-link:declarations',
    apply: 'build',
    closeBundle() {
      const out = join(LIBRARY_DIR, 'types')
      const tsc = fileURLToPath(new URL('node_modules/.bin/tsc', import.meta.url))
      // The options of tsconfig.base.json that shape declarations, for these entries only.
      execFileSync(tsc, [
        ...['--ignoreConfig', '--declaration', '--emitDeclarationOnly', '--outDir', out],
        ...['--rootDir', '.', '--target', 'es2023', '--module', 'esnext'],
        ...['--moduleResolution', 'bundler', '--jsx', 'react-jsx', '--strict', '--skipLibCheck'],
        ...['--lib', 'es2023,dom,dom.iterable', '--types', 'node', '--verbatimModuleSyntax'],
        ...Object.values(LIBRARY_ENTRIES),
      ])
      for (const entry of readdirSync(out, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue
        const file = join(entry.parentPath, entry.name)
        const text = readFileSync(file, 'utf8')
        writeFileSync(
          file,
          text.replace(
            /(from\s+|import\()'(\.\.?\/[^']*)'/g,
            (_, before: string, specifier: string) => {
              const target = join(dirname(file), specifier)
              const spelled = existsSync(`${target}.d.ts`)
                ? `${specifier}.js`
                : `${specifier}/index.js`
              return `${before}'${spelled}'`
            },
          ),
        )
      }
    },
  }
}

/** Every bare import (hono, react, node:crypto…): the app's own copy, a peer dependency. */
const isPackage = (id: string) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0')

// One config for the SPA build (`vite build`), the relay bundle (`vite build --mode relay`), the
// package (`vite build --mode lib`, run by `npm pack`) and the test projects (`vitest`).
export default defineConfig(({ mode }) => {
  // The package is a production build whoever packs it (a test runner sets NODE_ENV=test, which
  // would compile its JSX for React's development runtime, with this machine's paths in it).
  if (mode === 'lib') process.env.NODE_ENV = 'production'
  return {
    plugins:
      mode === 'relay'
        ? [pgliteFiles()]
        : mode === 'lib'
          ? [react(), declarations()]
          : [react(), precompress()],
    // `npm run dev` may sit behind a tunnel: its dev server serves what the page needs (web/, the
    // contract, dependencies), never the rest of the project tree (relay/, package.json, .env…).
    server: {
      fs: { strict: true, allow: ['web', 'index.html', 'relay/contract', 'node_modules'] },
    },
    // The demo app imports the kit as any app would, by its package entry; here, from its source.
    resolve: {
      alias: {
        'withings-link/react': fileURLToPath(new URL('web/react/react.ts', import.meta.url)),
      },
    },
    build:
      mode === 'lib'
        ? {
            outDir: LIBRARY_DIR,
            emptyOutDir: true,
            target: 'es2023',
            minify: false,
            modulePreload: false,
            lib: { entry: LIBRARY_ENTRIES, formats: ['es' as const] },
            rollupOptions: {
              external: isPackage,
              output: { entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
            },
          }
        : mode === 'relay'
          ? {
              ssr: 'relay/server/start.ts',
              outDir: 'build/relay',
              target: 'node20',
              emptyOutDir: true,
              // .mjs throughout: ES modules whatever package.json (if any) sits beside the bundle.
              rollupOptions: {
                output: { entryFileNames: 'start.mjs', chunkFileNames: 'assets/[name]-[hash].mjs' },
                // PGlite's Emscripten code uses eval on purpose; the notice says nothing to act on.
                checks: { eval: false },
              },
            }
          : { outDir: 'dist', emptyOutDir: true, sourcemap: false },
    // The relay bundle must run with plain `node` and no node_modules beside it.
    ssr: { noExternal: true, target: 'node' },
    test: {
      reporters: [
        'default',
        './test/adversarial/support/figures-reporter.ts',
        './test/support/summary-reporter.ts',
      ],
      projects: [
        nodeProject(['relay', 'emulator', 'quality', 'store', 'sync', 'package']),
        domProject,
        {
          extends: true,
          test: {
            name: 'adversarial',
            environment: 'node',
            include: ['test/adversarial/**/*.test.ts'],
          },
        },
        {
          extends: true,
          test: {
            name: 'hosts',
            environment: 'node',
            include: ['test/hosts/**/*.test.ts'],
            globalSetup: ['test/hosts/global-setup.ts'],
            testTimeout: 30_000,
            hookTimeout: 120_000,
          },
        },
        {
          extends: true,
          test: {
            name: 'e2e',
            environment: 'node',
            include: ['test/e2e/**/*.test.ts'],
            globalSetup: ['test/e2e/support/global-setup.ts'],
            testTimeout: 60_000,
            hookTimeout: 120_000,
            fileParallelism: false,
          },
        },
      ],
    },
  }
})
