import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { SPA_DIR } from './support/paths'

// The first visit downloads what index.html references; the dashboard comes later, on demand.
// (The first load's size budget is enforced by test/quality/spa-budget.test.ts.)

describe('the built SPA', () => {
  test('keeps the dashboard out of the first load', () => {
    const html = readFileSync(join(SPA_DIR, 'index.html'), 'utf8')
    const firstLoad = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map(
      (match) => match[1] ?? '',
    )
    expect(firstLoad.some((file) => file.endsWith('.js'))).toBe(true)
    const dashboard = readdirSync(join(SPA_DIR, 'assets')).filter((file) =>
      file.startsWith('DashboardPage-'),
    )
    expect(dashboard.some((file) => file.endsWith('.js'))).toBe(true)
    expect(firstLoad.some((file) => file.includes('DashboardPage'))).toBe(false)
  })
})
