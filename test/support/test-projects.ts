// The vitest projects that vite.config.ts (npm test) and the mutation run (npm run mutate) share.

/** The tests that run in Node: the relay, the emulator, the stores, the page logic without a DOM. */
export const nodeProject = (folders: string[]) => ({
  extends: true as const,
  test: {
    name: 'node',
    environment: 'node' as const,
    include: [`test/{${folders.join(',')}}/**/*.test.ts`, 'test/web/**/*.node.test.ts'],
  },
})

/** The page tests, in jsdom. */
export const domProject = {
  extends: true as const,
  test: {
    name: 'dom',
    environment: 'jsdom' as const,
    include: ['test/web/**/*.test.{ts,tsx}'],
    exclude: ['test/web/**/*.node.test.ts'],
    setupFiles: ['test/support/dom-setup.ts'],
  },
}
