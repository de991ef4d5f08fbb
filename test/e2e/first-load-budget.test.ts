import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { SPA_DIR } from './support/paths'

// What a first visit downloads is what index.html references; everything else (the dashboard)
// must come later, on demand. Budget: 95 kB gzip for the whole first load (React 19 and
// react-router alone are about 82 kB).

const BUDGET_BYTES = 95_000
const gzipped = (file: string) => gzipSync(readFileSync(join(SPA_DIR, file))).byteLength

describe('the built SPA', () => {
  test('first load (every script and stylesheet index.html references) stays within 95 kB gzip', () => {
    const html = readFileSync(join(SPA_DIR, 'index.html'), 'utf8')
    const firstLoad = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map(
      (match) => match[1] ?? '',
    )
    expect(firstLoad.some((file) => file.endsWith('.js'))).toBe(true)
    const total = firstLoad.reduce((sum, file) => sum + gzipped(file), 0)
    expect(total).toBeLessThanOrEqual(BUDGET_BYTES)

    const dashboard = readdirSync(join(SPA_DIR, 'assets')).filter((file) =>
      file.startsWith('DashboardPage-'),
    )
    expect(dashboard.some((file) => file.endsWith('.js'))).toBe(true)
    expect(firstLoad.some((file) => file.includes('DashboardPage'))).toBe(false)
  })
})
