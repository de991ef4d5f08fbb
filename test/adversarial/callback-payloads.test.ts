import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { createCallbackUrls } from '../../relay/core/notify/callback-url'
import { distinctCounter, figuresFor, reportAttack } from './support/figures'
import { hostileString } from './support/hostile'
import { APP, inProcessRelay } from './support/in-process-relay'

// What Withings may POST to a person's notification callback: its documentation disagrees with
// itself on the bed events' `date` (a Unix time, `Y-m-d`), its examples carry extra fields
// (`foo=bar`), and it may add categories. Whatever the fields, a POST to a valid callback URL is
// acknowledged with 2xx — a 4xx makes Withings retry, then remove the person's subscription —
// and never crashes the relay. (The other side of the callback, the SPA's /callback page, is
// callback-params.test.ts.)

const USERID = '363'

const unixSeconds = fc.integer({ min: 0, max: 4_102_444_800 }).map(String)
const ymd = fc
  .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10))
const isoDateTime = fc
  .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
  .map((date) => date.toISOString())
/** Every form a time field has had, or could have, and some it never should. */
const timeField = fc.option(
  fc.oneof(
    unixSeconds,
    ymd,
    isoDateTime,
    fc.constantFrom('', '0', '-1', '1e10', '1700000000.5', 'yesterday', '2024-02-30', 'null'),
    hostileString,
  ),
  { nil: undefined },
)
/** The categories the relay subscribes, those it does not (ECG 54, unknown), and garbage. */
const appli = fc.option(
  fc.oneof(
    fc.constantFrom('1', '4', '16', '44', '50', '51', '52', '54', '58', '0', '9999'),
    fc.nat({ max: 100_000 }).map(String),
    hostileString,
  ),
  { nil: undefined },
)
const extraFields = fc.array(
  fc.tuple(
    fc.oneof(fc.constantFrom('foo', 'deviceid', 'comment', 'callbackurl', 'userid'), hostileString),
    fc.oneof(fc.constantFrom('bar', ''), hostileString),
  ),
  { maxLength: 4 },
)

const payload = fc.record({
  appli,
  date: timeField,
  startdate: timeField,
  enddate: timeField,
  deviceid: fc.option(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 40 }), {
    nil: undefined,
  }),
  extra: extraFields,
})

type Payload = typeof payload extends fc.Arbitrary<infer T> ? T : never

function formOf(fields: Payload): URLSearchParams {
  const form = new URLSearchParams([['userid', USERID]])
  for (const name of ['appli', 'date', 'startdate', 'enddate', 'deviceid'] as const) {
    const value = fields[name]
    if (value !== undefined) form.set(name, value)
  }
  // Extra fields come after Withings' own: a repeated `userid` must not change whose it is.
  for (const [name, value] of fields.extra) form.append(name, value)
  return form
}

describe('the notification callback', () => {
  test('every payload variant at a valid callback URL is acknowledged with 2xx, and none crashes', async ({
    task,
  }) => {
    const relay = await inProcessRelay()
    const url = await createCallbackUrls(APP, [relay.relayKey]).urlFor(USERID)
    const figures = figuresFor(task)
    const count = distinctCounter(figures)
    const acknowledged = new Set<string>()
    await fc.assert(
      fc.asyncProperty(payload, async (fields) => {
        const body = formOf(fields)
        const text = body.toString()
        count(text)
        let answer: Response
        try {
          answer = await relay.app.request(url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body,
          })
        } catch (error) {
          figures.crashes++
          throw error
        }
        if (answer.status >= 500) figures.crashes++
        if (answer.status >= 200 && answer.status < 300) acknowledged.add(text)
        expect(answer.status, text.slice(0, 300)).toBe(200)
      }),
      {
        numRuns: 2_000,
        // The shapes the issue names, first: a bed event without `date`, `date` as `Y-m-d`, a
        // Unix time, Withings' own `foo=bar`, an unknown category.
        examples: [
          [
            {
              appli: '50',
              date: undefined,
              startdate: undefined,
              enddate: undefined,
              deviceid: 'a',
              extra: [],
            },
          ],
          [
            {
              appli: '51',
              date: '2024-03-01',
              startdate: undefined,
              enddate: undefined,
              deviceid: undefined,
              extra: [],
            },
          ],
          [
            {
              appli: '52',
              date: '1700000000',
              startdate: undefined,
              enddate: undefined,
              deviceid: 'b',
              extra: [],
            },
          ],
          [
            {
              appli: '1',
              date: undefined,
              startdate: '1700000000',
              enddate: '1700000300',
              deviceid: undefined,
              extra: [['foo', 'bar']],
            },
          ],
          [
            {
              appli: '58',
              date: '1700000000',
              startdate: undefined,
              enddate: undefined,
              deviceid: undefined,
              extra: [],
            },
          ],
        ],
      },
    )
    const dropped = relay.logs.filter((line) => line.msg === 'notification dropped').length
    reportAttack(task, 'callback payload variants', {
      tried: figures.inputs,
      'acknowledged 2xx': acknowledged.size,
      'dropped as unreadable (logged)': dropped,
      crashes: figures.crashes,
    })
    expect(figures.crashes).toBe(0)
    expect(acknowledged.size).toBe(figures.inputs)
    // No line of the run holds the URL's secret.
    const token = url.slice(url.lastIndexOf('/') + 1)
    expect(JSON.stringify(relay.logs)).not.toContain(token)
  })
})
