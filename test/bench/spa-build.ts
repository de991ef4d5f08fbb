// Builds the SPA and measures it; prints one line of JSON (SpaSizes). Run by measureSpa().
//
// - First load: the production build's entry chunk (the one index.html loads) and, recursively,
//   every chunk it imports statically. Lazily imported chunks are not counted; CSS is not JS.
//   Each file is gzipped on its own (gzip -9), as it travels, and the sizes are summed.
// - Auth client: a second, measurement-only build that puts the modules of web/react/auth/ in a chunk
//   of their own, and those of web/react/copy/ (the words it shows) in another (rolldown codeSplitting
//   groups, without their dependencies). Each chunk's gzip -9 is its share. The chunk includes
//   the few import/export lines a chunk boundary adds; in the real build those modules sit in
//   the entry chunk, so the share slightly overstates them.
// - Reference: test/bench/fixtures/react-router.tsx built the same way, its entry chunk gzipped.

import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import react from '@vitejs/plugin-react'
import { build, type InlineConfig } from 'vite'
import { ROOT } from './builds'
import { COPY_DIR, type SpaSizes } from './spa-size'

interface Chunk {
  type: 'chunk'
  fileName: string
  name: string
  code: string
  isEntry: boolean
  imports: string[]
  moduleIds: string[]
}
type OutputItem = Chunk | { type: 'asset'; fileName: string }

const outDir = process.argv[2]
if (!outDir) throw new Error('usage: spa-build.ts <outDir>')

const gzip = (code: string) => gzipSync(code, { level: 9 }).byteLength
const relative = (id: string) => id.replace(`${ROOT}`, '').replace(/^\//, '')
const isAuth = (id: string) => relative(id).startsWith('web/react/auth/')
const isCopy = (id: string) => relative(id).startsWith(COPY_DIR)

async function chunksOf(config: InlineConfig): Promise<Chunk[]> {
  const result = await build({ root: ROOT, logLevel: 'warn', ...config })
  const outputs = Array.isArray(result) ? result : [result]
  return outputs
    .flatMap((output) => ('output' in output ? (output.output as OutputItem[]) : []))
    .filter((item): item is Chunk => item.type === 'chunk')
}

function firstLoad(chunks: Chunk[]): SpaSizes['firstLoad'] {
  const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]))
  const entries = chunks.filter((chunk) => chunk.isEntry)
  if (entries.length !== 1) throw new Error(`expected one entry chunk, found ${entries.length}`)
  const loaded = new Set<string>()
  const visit = (chunk: Chunk) => {
    if (loaded.has(chunk.fileName)) return
    loaded.add(chunk.fileName)
    for (const file of chunk.imports) {
      const imported = byName.get(file)
      if (imported) visit(imported)
    }
  }
  visit(entries[0] as Chunk)
  const files = [...loaded]
  return { files, bytes: files.reduce((sum, file) => sum + gzip(byName.get(file)?.code ?? ''), 0) }
}

/** The chunk a codeSplitting group made, checked to hold exactly the modules it should. */
function groupChunk(chunks: Chunk[], name: string, belongs: (id: string) => boolean) {
  const chunk = chunks.find((candidate) => candidate.name === name)
  if (!chunk) throw new Error(`the measurement build made no ${name} chunk`)
  const strangers = chunk.moduleIds.filter((id) => !belongs(id))
  if (strangers.length > 0) throw new Error(`${name} holds other modules: ${strangers.join(', ')}`)
  const modules = chunk.moduleIds.map(relative).sort()
  return { bytes: gzip(chunk.code), modules }
}

function authGroups(groups: { name: string; test: (id: string) => boolean }[]): InlineConfig {
  return {
    build: {
      write: false,
      rolldownOptions: {
        output: {
          codeSplitting: {
            groups: groups.map((group) => ({ ...group, includeDependenciesRecursively: false })),
          },
        },
      },
    },
  }
}

const app = await chunksOf({ build: { outDir, emptyOutDir: true } })
const measurable = (id: string) => isAuth(id) || isCopy(id)
const appModules = app.flatMap((chunk) => chunk.moduleIds.filter(measurable)).map(relative)

const split = await chunksOf(
  authGroups([
    { name: 'copy', test: isCopy },
    { name: 'auth-client', test: isAuth },
  ]),
)
const authClient = groupChunk(split, 'auth-client', isAuth)
const copy = groupChunk(split, 'copy', isCopy)
const measured = [...authClient.modules, ...copy.modules].sort()
if (measured.join() !== [...new Set(appModules)].sort().join()) {
  throw new Error(`measured ${measured.join(', ')}; the app bundles ${appModules.join(', ')}`)
}

const reference = await chunksOf({
  configFile: false,
  plugins: [react()],
  build: {
    write: false,
    rolldownOptions: { input: join(ROOT, 'test/bench/fixtures/react-router.tsx') },
  },
})

const sizes: SpaSizes = {
  firstLoad: firstLoad(app),
  authClient,
  copy,
  reactRouter: { bytes: firstLoad(reference).bytes },
}
console.log(JSON.stringify(sizes))
