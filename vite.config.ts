import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import react from '@vitejs/plugin-react'
import type { Plugin } from 'vite'
import { defineConfig } from 'vitest/config'

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

// One config for the SPA build (`vite build`), the relay bundle (`vite build --mode relay`) and
// the test projects (`vitest`).
export default defineConfig(({ mode }) => ({
  plugins: mode === 'relay' ? [] : [react(), precompress()],
  // `npm run dev` may sit behind a tunnel: its dev server serves what the page needs (web/, the
  // contract, dependencies), never the rest of the project tree (relay/, package.json, .env…).
  server: {
    fs: { strict: true, allow: ['web', 'index.html', 'relay/contract.ts', 'node_modules'] },
  },
  // The demo app imports the kit as any app would, by its package entry; here, from its source.
  resolve: {
    alias: { 'withings-link/react': fileURLToPath(new URL('web/link/index.ts', import.meta.url)) },
  },
  build:
    mode === 'relay'
      ? {
          ssr: 'relay/start.ts',
          outDir: 'build/relay',
          target: 'node20',
          emptyOutDir: true,
          // .mjs throughout: ES modules whatever package.json (if any) sits beside the bundle.
          rollupOptions: {
            output: { entryFileNames: 'start.mjs', chunkFileNames: 'assets/[name]-[hash].mjs' },
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
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: [
            'test/{relay,emulator,quality,store}/**/*.test.ts',
            'test/web/**/*.node.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'dom',
          environment: 'jsdom',
          include: ['test/web/**/*.test.{ts,tsx}'],
          exclude: ['test/web/**/*.node.test.ts'],
          setupFiles: ['test/support/dom-setup.ts'],
        },
      },
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
}))
