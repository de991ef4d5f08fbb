import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

// The runtimes the relay is proven on (test/hosts/runtimes/package.json: Node 22, 24 and 26,
// Bun, Deno, workerd), each an npm package with its binary inside, installed with their install
// scripts skipped (nothing downloads from anywhere but the registry). Never in the project's own
// node_modules: each Node alias declares a `node` bin, which would replace the `node` of every
// npm script. One install per version of the lockfile, kept outside the clone (about 1 GB), and
// linked in as test/hosts/runtimes/node_modules. `npx tsx test/hosts/install-runtimes.ts` runs it
// ahead (.ci/run does); the hosts tests' global setup runs it otherwise.

export const RUNTIMES_DIR = fileURLToPath(new URL('runtimes', import.meta.url))
export const RUNTIMES_MODULES = join(RUNTIMES_DIR, 'node_modules')
const MANIFESTS = ['package.json', 'package-lock.json']
const STAMP = '.withings-link-installed'

/** Installs (or links the cached install of) the runtimes; returns their node_modules. */
export function installRuntimes(): string {
  const hash = createHash('sha256')
  for (const file of MANIFESTS) hash.update(readFileSync(join(RUNTIMES_DIR, file)))
  const version = hash.digest('hex').slice(0, 16)
  if (readStamp(RUNTIMES_MODULES) === version) return RUNTIMES_MODULES

  const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'withings-link')
  const cached = join(cacheRoot, `runtimes-${version}`)
  if (readStamp(join(cached, 'node_modules')) !== version) {
    // Installed aside, then renamed into place: two runs installing at once do not mix.
    const building = `${cached}.${process.pid}`
    rmSync(building, { recursive: true, force: true })
    mkdirSync(building, { recursive: true })
    for (const file of MANIFESTS) copyFileSync(join(RUNTIMES_DIR, file), join(building, file))
    console.log(`Installing the test runtimes (Node 22/24/26, Bun, Deno, workerd) in ${cached}…`)
    execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: building,
      stdio: 'inherit',
    })
    writeFileSync(join(building, 'node_modules', STAMP), version)
    rmSync(cached, { recursive: true, force: true })
    try {
      renameSync(building, cached)
    } catch {
      // Another run finished first: its install is as good.
      rmSync(building, { recursive: true, force: true })
    }
  }
  if (existsSync(RUNTIMES_MODULES) || isLink(RUNTIMES_MODULES)) {
    rmSync(RUNTIMES_MODULES, { recursive: true, force: true })
  }
  mkdirSync(dirname(RUNTIMES_MODULES), { recursive: true })
  symlinkSync(join(cached, 'node_modules'), RUNTIMES_MODULES, 'dir')
  return RUNTIMES_MODULES
}

function readStamp(modules: string): string | undefined {
  try {
    return readFileSync(join(modules, STAMP), 'utf8')
  } catch {
    return undefined
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink()
  } catch {
    return false
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) installRuntimes()
