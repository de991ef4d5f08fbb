import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'
import { buildHosts, type HostBuilds } from './host-builds'
import { installRuntimes } from './install-runtimes'

// Once per run of the hosts tests: the runtimes installed (or linked from the cache), and what
// each serves built from this checkout.

declare module 'vitest' {
  export interface ProvidedContext {
    hostBuilds: HostBuilds
  }
}

const ARTIFACTS = fileURLToPath(new URL('../.artifacts/hosts', import.meta.url))

export default async function setup(project: TestProject) {
  installRuntimes()
  project.provide('hostBuilds', await buildHosts(join(ARTIFACTS, 'builds')))
}
