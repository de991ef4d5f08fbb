import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { RUNTIMES_MODULES } from './install-runtimes'

// The runtimes the relay is proven on, each with its version as installed: the test process's
// own Node (20 in CI), Node 22, 24 and 26, Bun, Deno and workerd (Cloudflare Workers' runtime).
// TEST_RUNTIMES picks them: `all`, or ids separated by commas; by default this Node and Node 24,
// the current LTS (.ci/run runs them all).

export type Family = 'node' | 'bun' | 'deno' | 'workerd'

export interface Runtime {
  id: string
  family: Family
  /** What failures and figures name: `Node 24.22.3`, `Bun 1.4.5`. */
  name: string
  binary: string
}

const DEFAULT = ['node', 'node24']

/** Every runtime, from test/hosts/runtimes' packages (see install-runtimes.ts). */
export function allRuntimes(modules = RUNTIMES_MODULES): Runtime[] {
  const version = (pkg: string) =>
    (JSON.parse(readFileSync(join(modules, pkg, 'package.json'), 'utf8')) as { version: string })
      .version
  const node = (major: number): Runtime => ({
    id: `node${major}`,
    family: 'node',
    name: `Node ${version(`node${major}`)}`,
    binary: join(modules, `node${major}/bin/node`),
  })
  return [
    { id: 'node', family: 'node', name: `Node ${process.versions.node}`, binary: process.execPath },
    node(22),
    node(24),
    node(26),
    {
      id: 'bun',
      family: 'bun',
      name: `Bun ${version('bun')}`,
      binary: join(modules, '@oven/bun-linux-x64/bin/bun'),
    },
    {
      id: 'deno',
      family: 'deno',
      name: `Deno ${version('deno')}`,
      binary: join(modules, '@deno/linux-x64-glibc/deno'),
    },
    {
      id: 'workerd',
      family: 'workerd',
      name: `workerd ${version('workerd')}`,
      binary: join(modules, '@cloudflare/workerd-linux-64/bin/workerd'),
    },
  ]
}

/** The runtimes TEST_RUNTIMES asks for (an unknown id is an error, not a silent skip). */
export function selectedRuntimes(
  spec = process.env.TEST_RUNTIMES,
  runtimes = allRuntimes(),
): Runtime[] {
  const wanted = !spec?.trim() ? DEFAULT : spec.trim() === 'all' ? undefined : spec.split(',')
  if (!wanted) return runtimes
  const ids = wanted.map((id) => id.trim())
  const unknown = ids.filter((id) => !runtimes.some((runtime) => runtime.id === id))
  if (unknown.length > 0) {
    throw new Error(
      `TEST_RUNTIMES: no runtime ${unknown.join(', ')}; known: all, ${runtimes.map((r) => r.id).join(', ')}.`,
    )
  }
  return runtimes.filter((runtime) => ids.includes(runtime.id))
}
