import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { tmpdir } from 'node:os'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, test } from 'vitest'
import { ROOT } from '../support/entry-process'

// The lines the layout draws. The compiler keeps most of them: each folder is a TypeScript
// project with its own lib and types (the contract, the core, the emulator and the React kit see
// no Node types), and a project can import only the projects it references. The probes below
// prove that a Node API in a Web-standard folder fails to compile; the import checks cover what
// the compiler cannot see (a Node-only package ships its own types; the demo app may reference
// the kit's folder but takes it by its package entry, as any app would).

const run = promisify(execFile)
const tsc = join(ROOT, 'node_modules/.bin/tsc')

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

const WEB_STANDARD = ['relay/contract', 'relay/core', 'relay/emulator', 'web/react']
const NODE_ONLY = ['@hono/node-server', 'ioredis', 'pg', 'vite', '@vitejs/plugin-react']
const isNodeOnly = (specifier: string) =>
  isBuiltin(specifier) ||
  NODE_ONLY.some((name) => specifier === name || specifier.startsWith(`${name}/`))

const probes = mkdtempSync(join(tmpdir(), 'boundary-probe-'))
afterAll(() => rmSync(probes, { recursive: true, force: true }))

/** Type-checks `code` as a file of `project` (its lib, types and strictness); '' when clean. */
async function typeCheckAs(project: string, name: string, code: string): Promise<string> {
  const dir = join(probes, `${project.replace('/', '-')}-${name}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir)
  writeFileSync(join(dir, 'probe.ts'), code)
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: join(ROOT, project, 'tsconfig.json'),
      compilerOptions: { composite: false, declaration: true, noEmit: true },
      include: [],
      files: ['probe.ts'],
      references: [],
    }),
  )
  try {
    await run(tsc, ['-p', dir], { cwd: dir })
    return ''
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error)
  }
}

describe('boundaries', () => {
  describe.each(WEB_STANDARD)('%s sees no Node types', (project) => {
    test('Web standards compile there', async () => {
      const code = 'export const probe = new TextEncoder().encode(btoa("ok")).byteLength\n'
      expect(await typeCheckAs(project, 'web', code)).toBe('')
    }, 60_000)

    test.each([
      [
        'a node: import',
        "import { readFileSync } from 'node:fs'\nexport const probe = readFileSync\n",
      ],
      ['Buffer', "export const probe = Buffer.from('x')\n"],
      ['process', 'export const probe = process.env\n'],
    ])(
      '%s is a compile error',
      async (_, code) => {
        expect(await typeCheckAs(project, 'node', code)).toMatch(/error TS2591/)
      },
      60_000,
    )
  })

  test('no Web-standard folder imports a Node-only package', () => {
    const files = WEB_STANDARD.flatMap(sources)
    expect(files.length).toBeGreaterThan(100)
    const found = files.flatMap((file) =>
      imports(file)
        .filter(isNodeOnly)
        .map((specifier) => `${file}: ${specifier}`),
    )
    expect(found).toEqual([])
  })

  test('no two source files share a name, whatever their folder', () => {
    const files = ['relay', 'web'].flatMap(sources)
    const folders = new Map<string, string[]>()
    for (const file of files) {
      const name = basename(file)
        .replace(/\.tsx?$/, '')
        .toLowerCase()
      folders.set(name, [...(folders.get(name) ?? []), file])
    }
    expect([...folders.values()].filter((twins) => twins.length > 1)).toEqual([])
    expect(files.length).toBeGreaterThan(150)
  })

  test("the demo app takes the kit from 'withings-link/react', never web/react/* by path", () => {
    const demo = sources('web/app')
    const found = demo.flatMap((file) =>
      imports(file)
        .filter((target) => target.startsWith('web/react'))
        .map((target) => `${file}: ${target}`),
    )
    expect(found).toEqual([])
    expect(
      demo.filter((file) => imports(file).includes('withings-link/react')).length,
    ).toBeGreaterThan(5)
  })
})
