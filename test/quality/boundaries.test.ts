import { readdirSync, readFileSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, test } from 'vitest'
import { ROOT } from '../support/entry-process'

// The lines the layout draws, read from the sources: the relay's core and the emulator run on
// Web standards wherever Hono runs (only relay/node/ knows Node), the page never loads relay
// code, and the demo app takes the kit from its package entry as any other app would.

/** Every .ts/.tsx file under `dir`, relative to the repository. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
}

const IMPORT =
  /^\s*(?:import|export)\b[^'"\n]*?\bfrom\s*'([^']+)'|^\s*import\s*'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm

/** What a file imports: package names as written, relative paths resolved from the repository. */
function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  return [...text.matchAll(IMPORT)].map((match) => {
    const specifier = match[1] ?? match[2] ?? match[3] ?? ''
    return specifier.startsWith('.')
      ? relative(ROOT, resolve(ROOT, dirname(file), specifier))
      : specifier
  })
}

const COMMENTS = /\/\*[\s\S]*?\*\/|\/\/.*$/gm

const NODE_ONLY = ['@hono/node-server', 'ioredis', 'vite', '@vitejs/plugin-react']
const isNodeOnly = (specifier: string) =>
  isBuiltin(specifier) ||
  NODE_ONLY.some((name) => specifier === name || specifier.startsWith(`${name}/`))

const webStandard = [...sources('relay'), ...sources('web')].filter(
  (file) => !file.startsWith('relay/node/'),
)

describe('boundaries', () => {
  test('nothing outside relay/node/ imports node:* or a Node-only package', () => {
    expect(webStandard.length).toBeGreaterThan(100)
    const found = webStandard.flatMap((file) =>
      imports(file)
        .filter(isNodeOnly)
        .map((specifier) => `${file}: ${specifier}`),
    )
    expect(found).toEqual([])
  })

  test("nor uses Node's globals: no Buffer, and process only in the two Node entries", () => {
    const found = webStandard.flatMap((file) => {
      const code = readFileSync(join(ROOT, file), 'utf8').replace(COMMENTS, '')
      const entry = file === 'relay/start.ts' || file === 'relay/start-dev.ts'
      const uses = [...code.matchAll(/\b(?:Buffer|process)\b/g)].map((match) => match[0])
      return uses.filter((use) => !(entry && use === 'process')).map((use) => `${file}: ${use}`)
    })
    expect(found).toEqual([])
  })

  test('the relay core never imports the emulator or the Node wiring', () => {
    const core = sources('relay').filter(
      (file) => !/^relay\/(node|emulator)\//.test(file) && !/^relay\/start(-dev)?\.ts$/.test(file),
    )
    const found = core.flatMap((file) =>
      imports(file)
        .filter((target) => /^relay\/(node|emulator)(\/|$)/.test(target))
        .map((target) => `${file}: ${target}`),
    )
    expect(found).toEqual([])
  })

  test('web/ loads no relay code: only the types and constants of relay/contract.ts', () => {
    const found = sources('web').flatMap((file) =>
      imports(file)
        .filter((target) => target.startsWith('relay/') && target !== 'relay/contract')
        .map((target) => `${file}: ${target}`),
    )
    expect(found).toEqual([])
  })

  test("the demo app takes the kit from 'withings-link/react', never web/link/* by path", () => {
    const demo = sources('web').filter((file) => !file.startsWith('web/link/'))
    const found = demo.flatMap((file) =>
      imports(file)
        .filter((target) => target.startsWith('web/link'))
        .map((target) => `${file}: ${target}`),
    )
    expect(found).toEqual([])
    expect(
      demo.filter((file) => imports(file).includes('withings-link/react')).length,
    ).toBeGreaterThan(5)
  })
})
