import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { measureSpa, SPA_BUDGETS, type SpaSizes } from '../bench/spa-size'

// The SPA's sizes are deterministic, so they are budgets, not just benchmark figures (how they
// are measured: test/bench/spa-build.ts). `npm run bench` reports the same numbers.

const outDir = mkdtempSync(join(tmpdir(), 'wl-spa-budget-'))
afterAll(() => rmSync(outDir, { recursive: true, force: true }))

let sizes: SpaSizes
beforeAll(async () => {
  sizes = await measureSpa(outDir)
}, 120_000)

describe('SPA size budgets (gzip -9, 1 kB = 1000 bytes)', () => {
  test(`first-load JavaScript stays within ${SPA_BUDGETS.firstLoadBytes / 1000} kB`, () => {
    expect(sizes.firstLoad.bytes).toBeLessThanOrEqual(SPA_BUDGETS.firstLoadBytes)
  })

  test(`the auth client (web/react/auth/* without its copy) stays within ${SPA_BUDGETS.authClientBytes / 1000} kB`, () => {
    expect(sizes.authClient.modules).toContain('web/react/auth/relay-client.ts')
    expect(sizes.authClient.bytes).toBeLessThanOrEqual(SPA_BUDGETS.authClientBytes)
  })
})
