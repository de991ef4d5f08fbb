import { describe, expect, test } from 'vitest'
import { formatDay, formatDuration } from '../../web/app/data/format'
import { formatMeasure, WEIGHT } from '../../web/app/data/meastypes'
import { localDay, ymd } from '../../web/app/data/series'
import { explain } from '../../web/react/copy/error-messages'
import { insufficientScopeAnswer } from '../fixtures/withings/errors'
import { withAppInBrowser } from './support/browser'

// The dashboard in real Chromium against the emulator's seeded data, which holds the shapes of
// real Withings answers: a guest's weighing newer than the person's own, naps filed beside the
// nights, and a night whose sleep time is "not available" (-1).

const SHOWN_AT = Date.UTC(2025, 5, 15, 18, 0, 0)
const DAY_MS = 86_400_000

const app = withAppInBrowser({
  stack: { now: () => SHOWN_AT },
  prepare: (context) => context.clock.setFixedTime(SHOWN_AT),
})

async function connectAsDemoUser() {
  await app.page.goto(`${app.stack.appUrl}/dashboard`)
  await app.page.getByRole('switch', { name: 'Use the Withings demo user' }).check()
  await app.page.getByRole('button', { name: 'Connect Withings' }).click()
  await app.page.waitForURL(`${app.stack.emulatorUrl}/**`)
  await app.page.getByRole('button', { name: 'Accept' }).click()
  await app.page.getByRole('img', { name: 'Weight, last 90 days' }).waitFor()
}

/** The rows of a panel's values table: the date, then each series' cell. */
async function valuesTable(panel: string, chart: string): Promise<string[][]> {
  const region = app.page.getByRole('region', { name: panel })
  await region.getByText('The values as a table').click()
  const rows = region.getByRole('table', { name: chart }).getByRole('row')
  const texts: string[][] = []
  for (const row of (await rows.all()).slice(1)) {
    texts.push((await row.locator('th, td').allTextContents()).map((cell) => cell.trim()))
  }
  return texts
}

describe('real Withings shapes on the dashboard, in Chromium', () => {
  test('the latest weight is the person’s own, never the guest’s who weighed in after', async () => {
    await connectAsDemoUser()
    const latest = app.stack.emulator.data.latestMeasure(363, WEIGHT)
    const groups = app.stack.emulator.data.of(363).measuregrps
    const guests = groups.filter((group) => group.attrib === 1)
    const lastGuest = guests.at(-1)
    expect(latest).toBeDefined()
    expect(lastGuest?.date ?? 0).toBeGreaterThan(latest?.date ?? Infinity)

    const weight = app.page.getByRole('region', { name: 'Weight' })
    expect(await weight.locator('.latest').textContent()).toBe(
      `Latest: ${formatMeasure(WEIGHT, latest?.real ?? 0)} on ${formatDay((latest?.date ?? 0) * 1000)}`,
    )
    const shown = (await valuesTable('Weight', 'Weight, last 90 days')).map(([, value]) => value)
    const guestWeights = guests.map((group) => {
      const [measure] = group.measures
      return formatMeasure(WEIGHT, (measure?.value ?? 0) * 10 ** (measure?.unit ?? 0))
    })
    expect(shown.length).toBeGreaterThan(60)
    expect(shown.filter((value) => guestWeights.includes(value ?? ''))).toEqual([])
  })

  test('sleep: no bar at -1, and a nap is never a night', async () => {
    await connectAsDemoUser()
    const chart = app.page.getByRole('img', { name: 'Sleep per night, last 30 days' })
    await chart.waitFor()
    const firstDay = ymd(SHOWN_AT - 29 * DAY_MS)
    const periods = app.stack.emulator.data
      .of(363)
      .sleepSummaries.filter((period) => period.date >= firstDay && period.date <= ymd(SHOWN_AT))
    const days = [...new Set(periods.map((period) => period.date))]
    const unstaged = periods.filter((period) => period.data.total_sleep_time === -1)
    const napDays = days.filter((day) => periods.filter((p) => p.date === day).length > 1)
    expect(unstaged).toHaveLength(1)
    expect(napDays.length).toBeGreaterThanOrEqual(3)

    const rows = await valuesTable('Sleep per night', 'Sleep per night, last 30 days')
    const byDay = new Map(rows.map(([day, value]) => [day, value]))
    // One bar per night with a sleep time: every day of the window but the one at -1.
    expect(await chart.locator('rect').count()).toBe(days.length - 1)
    expect(rows).toHaveLength(days.length - 1)
    expect(byDay.has(formatDay(localDay(unstaged[0]?.date ?? '')))).toBe(false)
    for (const [, value] of rows) expect(value).toMatch(/^\d+ h \d{2} min$/)
    for (const day of napDays) {
      const sameDay = periods.filter((period) => period.date === day)
      const inBed = (period: (typeof sameDay)[number]) => period.enddate - period.startdate
      const night = sameDay.reduce((a, b) => (inBed(b) > inBed(a) ? b : a))
      const nap = sameDay.find((period) => period !== night)
      const shown = byDay.get(formatDay(localDay(day)))
      expect(shown).toBe(formatDuration(night.data.total_sleep_time))
      expect(shown).not.toBe(formatDuration(nap?.data.total_sleep_time ?? 0))
      expect(shown).not.toBe(
        formatDuration(night.data.total_sleep_time + (nap?.data.total_sleep_time ?? 0)),
      )
    }
  })

  test('reloads with a live access token make no refresh at Withings', async () => {
    await connectAsDemoUser()
    const refreshes = () => app.stack.emulator.requests.count({ grantType: 'refresh_token' })
    for (let load = 0; load < 3; load++) {
      await app.page.reload()
      await app.page.getByRole('img', { name: 'Weight, last 90 days' }).waitFor()
    }
    expect(refreshes()).toBe(0)
  })

  test('Withings refusing a granted scope (403 Insufficient_scope): its sentence in the panel, Denied in the scope table', async () => {
    await connectAsDemoUser()
    const { status, error } = insufficientScopeAnswer
    app.stack.emulator.faults.inject({ type: 'status', status, error }, { on: 'data' })
    await app.page.reload()
    const weight = app.page.getByRole('region', { name: 'Weight' })
    await weight.getByRole('alert').getByText(explain('scope_denied').sentence).waitFor()
    await weight.getByRole('link', { name: 'Connect again' }).waitFor()
    const scopes = app.page.getByRole('region', { name: 'What this connection can do' })
    const row = scopes.getByRole('row', { name: /^user\.metrics / })
    await row.getByText('Denied').waitFor()
    expect(await row.textContent()).toContain('Withings refused it')
  })
})
