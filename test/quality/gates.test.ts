import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))
const bin = (name: string) => `${root}node_modules/.bin/${name}`

/** Runs a tool and returns its exit code and output, failing the test with its own words. */
async function gate(command: string, args: string[]) {
  try {
    await run(command, args, { cwd: root, maxBuffer: 16 * 1024 * 1024 })
    return ''
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string }
    return `${stdout}${stderr}`.trim() || String(error)
  }
}

describe('quality gates', () => {
  test('TypeScript strict type-check of web, relay and tests (tsc -b)', async () => {
    expect(await gate(bin('tsc'), ['-b'])).toBe('')
  }, 180_000)

  test('Biome: one linter and formatter, no findings', async () => {
    expect(await gate(bin('biome'), ['check', '--error-on-warnings', '.'])).toBe('')
  }, 120_000)
})
