import fc from 'fast-check'
import { beforeAll, describe, expect, test } from 'vitest'
import { DATA_ACTIONS, type DataService } from '../../relay/contract/wire-contract'
import { type ActionRules, ALLOWLIST } from '../../relay/core/withings/allowlist'
import { openSession, SESSION_COOKIE, sealedField } from '../support/cookies'
import { pagePost } from '../support/page-post'
import { judge } from './support/answers'
import { distinctCounter, figuresFor } from './support/figures'
import { hostileHeaderValue, hostileString, NASTY_STRINGS } from './support/hostile'
import { APP, inProcessRelay } from './support/in-process-relay'

// The data proxy against whatever a client can put in its path, body and Authorization header:
// it refuses or forwards, never fails, and nothing leaves for Withings that is not allow-listed.

let relay: Awaited<ReturnType<typeof inProcessRelay>>
let session: string
let accessToken: string
beforeAll(async () => {
  relay = await inProcessRelay()
  ;({ session } = await relay.genuineCookies())
  accessToken = sealedField(await openSession(session, relay.relayKey), 'accessToken') ?? ''
  expect(accessToken).toMatch(/^[0-9a-f]{40}$/)
})

const SERVICES = Object.keys(DATA_ACTIONS) as DataService[]
const ACTIONS = [...new Set(Object.values(DATA_ACTIONS).flat())]
const PARAMS = [
  ...new Set(
    Object.values(ALLOWLIST).flatMap((actions) =>
      Object.values<ActionRules>(actions).flatMap((rules) => Object.keys(rules.params)),
    ),
  ),
]

const path = fc.oneof(
  fc.constantFrom(...SERVICES),
  fc.constantFrom('v2/oauth2', 'notify', 'v2/user/', 'v2%2Fmeasure', 'MEASURE', 'v2/measure/..'),
  hostileString.filter((text) => /^[\x21-\x7e]{1,60}$/.test(text) && !/[?#]/.test(text)),
)

const value = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  hostileString,
  fc.integer(),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10)),
  fc.array(fc.integer({ min: -5, max: 300 }), { maxLength: 70 }),
)

const body = fc.record(
  {
    action: fc.oneof(fc.constantFrom(...ACTIONS), hostileString, fc.jsonValue({ maxDepth: 1 })),
    params: fc.dictionary(
      fc.oneof(fc.constantFrom(...PARAMS), fc.constantFrom(...NASTY_STRINGS)),
      value,
      {
        maxKeys: 4,
      },
    ),
  },
  { requiredKeys: ['params'] },
)

/** How a request claims to be someone: the genuine session, or a bearer with no session at all
 * (the genuine access token among them: the proxy must not take a token for a session). */
interface Credentials {
  cookie?: string
  authorization?: string
}
const credentials: fc.Arbitrary<Credentials> = fc.oneof(
  fc.constant({ cookie: 'genuine' }),
  fc.constant({ authorization: 'genuine' }),
  hostileHeaderValue.map((text) => ({ authorization: `Bearer ${text}` })),
  hostileHeaderValue.map((text) => ({ cookie: `${SESSION_COOKIE}=${text}` })),
)

describe('the data proxy under hostile input', () => {
  test('refuses or forwards, never fails; only allow-listed calls reach Withings', async ({
    task,
  }) => {
    const figures = figuresFor(task)
    const count = distinctCounter(figures)
    const dataCalls = () => relay.emulator.requests.count({ route: 'data' })
    await fc.assert(
      fc.asyncProperty(path, body, credentials, async (service, { action, params }, auth) => {
        const input = { service, body: { ...params, ...(action !== undefined && { action }) } }
        count({ ...input, auth })
        const before = dataCalls()
        const answer = await relay.app.request(
          `${APP}/api/withings/${service}`,
          pagePost(APP, input.body, {
            cookie: auth.cookie === 'genuine' ? `${SESSION_COOKIE}=${session}` : auth.cookie,
            authorization:
              auth.authorization === 'genuine' ? `Bearer ${accessToken}` : auth.authorization,
          }),
        )
        const status = answer.status
        const verdict = await judge(answer, 'POST')
        if (verdict.crash) figures.crashes++
        expect(verdict.problem, JSON.stringify(input).slice(0, 300)).toBeNull()

        const sent = dataCalls() - before
        expect(sent).toBeLessThanOrEqual(1)
        if (sent === 1) {
          // Only with the session, and only an allow-listed action.
          expect(auth.cookie).toBe('genuine')
          const call = relay.emulator.requests.entries.at(-1)
          const allowed: readonly string[] = DATA_ACTIONS[call?.service as DataService] ?? []
          expect(allowed).toContain(call?.action)
        } else {
          expect(status).not.toBe(200)
        }
      }),
      { numRuns: 400 },
    )
    expect(figures.crashes).toBe(0)
    expect(figures.inputs).toBeGreaterThanOrEqual(60)
  }, 60_000)
})
