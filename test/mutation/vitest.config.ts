import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { domProject, nodeProject } from '../support/test-projects.ts'

// The tests Stryker runs against each mutant (`npm run mutate`): the node and dom projects, which
// prove the mutated folders' behaviour quickly. Left out: the browsers (e2e), the hostile-input
// suite (minutes of generated input), and the quality gates (a mutant is not meant to type-check).

const root = fileURLToPath(new URL('../..', import.meta.url))

export default defineConfig({
  root,
  resolve: {
    alias: {
      'withings-link/react': fileURLToPath(new URL('../../web/react/react.ts', import.meta.url)),
    },
  },
  test: {
    projects: [nodeProject(['relay', 'emulator', 'store', 'sync']), domProject],
  },
})
