import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'

// One config for the SPA build (`vite build`), the relay bundle (`vite build --mode relay`) and
// the test projects (`vitest`).
export default defineConfig(({ mode }) => ({
  plugins: mode === 'relay' ? [] : [react()],
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
          include: ['test/{relay,emulator,quality}/**/*.test.ts', 'test/web/**/*.node.test.ts'],
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
