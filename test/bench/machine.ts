import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { cpus, loadavg, release, totalmem } from 'node:os'
import { join } from 'node:path'
import { chromiumPath } from '../e2e/support/browser'
import { ROOT } from './builds'

// What the figures were measured on and with, written beside them.

export interface Machine {
  cpu: string
  cores: number
  memory: string
  os: string
  node: string
}

export function describeMachine(): Machine {
  const osRelease = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : ''
  const distribution = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(osRelease)?.[1] ?? process.platform
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${distribution}, Linux ${release()}`,
    node: process.version,
  }
}

/** The one-minute load average: the machine is shared, and this says how busy it was. */
export const loadAverage = () => loadavg()[0] ?? 0

const PACKAGES = [
  'hono',
  '@hono/node-server',
  'react',
  'react-router-dom',
  'vite',
  'playwright-core',
]

export function describeVersions(): Record<string, string> {
  const versions: Record<string, string> = {}
  for (const name of PACKAGES) {
    const manifest = JSON.parse(
      readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'),
    ) as { version: string }
    versions[name] = manifest.version
  }
  // Debian's chromium wrapper script talks on stderr; the version is on stdout.
  versions.chromium = execFileSync(chromiumPath(), ['--version'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim()
  return versions
}
