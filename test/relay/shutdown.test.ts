import { afterEach, describe, expect, test } from 'vitest'
import type { PublicConfig } from '../../relay/contract/wire-contract'
import { createApiClient } from '../support/api-client'
import { killEntries, runStart } from '../support/entry-process'
import { startLoginAt } from '../support/login'

// A host stops the relay with SIGTERM (deploy, scale-in). The code exchange under way must still
// finish, since a code works once; what arrives meanwhile is told to retry elsewhere.

afterEach(killEntries)

const DELAY_MS = 1_500
/**
 * The longest deadline, so the longest grace period (25 + 2 s): a stop that waited it out, rather
 * than ending once drained, would outlast the test's own timeout. No clock is read here.
 */
const env = { WITHINGS_TIMEOUT_MS: '25000' }
const TEST_TIMEOUT_MS = 20_000

describe('graceful shutdown of npm start', () => {
  test(
    'SIGTERM mid-exchange: the exchange succeeds, newcomers get 503 shutting_down, exit 0',
    async () => {
      const app = runStart({ env })
      const url = await app.url()
      const config: PublicConfig = await (await fetch(`${url}/api/config`)).json()
      const emulatorUrl = new URL(config.authorize_url).origin
      const api = createApiClient(url)
      const login = await startLoginAt(api, config)
      // Withings (the emulator, through its control API) holds the next token request.
      const armed = await fetch(`${emulatorUrl}/_emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fault: { type: 'delay', ms: DELAY_MS }, on: 'token', times: 1 }),
      })
      expect(armed.status).toBe(201)

      const exchange = api.post('/api/auth/token', login.body)
      await until(async () => {
        const counts = await (await fetch(`${emulatorUrl}/_emulator/requests`)).json()
        return counts.grantTypes.authorization_code === 1
      })
      app.child.kill('SIGTERM')

      const refusal = await until(async () => {
        const response = await fetch(`${url}/api/healthz`)
        return response.status === 503 ? response : undefined
      })
      expect(refusal.headers.get('retry-after')).toBe('1')
      expect((await refusal.json()).error).toMatchObject({ code: 'shutting_down', retryable: true })

      const answer = await exchange
      expect(answer.status).toBe(200)
      expect(await answer.json()).toMatchObject({ userid: '363', expires_at: expect.any(Number) })
      expect(await app.exited).toBe(0)

      const lines = app.logLines()
      const shuttingDown = lines.find((line) => line.msg === 'shutting down')
      const stopped = lines.find((line) => line.msg === 'stopped')
      expect(shuttingDown).toMatchObject({ msg: 'shutting down', signal: 'SIGTERM', inFlight: 1 })
      expect(stopped).toMatchObject({ msg: 'stopped', inFlight: 0 })
      expect(stopped?.refused).toBeGreaterThanOrEqual(1)
    },
    TEST_TIMEOUT_MS,
  )

  test(
    'with nothing under way, SIGTERM stops without waiting out the grace period, exit code 0',
    async () => {
      const app = runStart({ env })
      await app.url()
      app.child.kill('SIGTERM')
      expect(await app.exited).toBe(0)
      expect(app.logLines().find((line) => line.msg === 'stopped')).toMatchObject({
        inFlight: 0,
        refused: 0,
      })
    },
    TEST_TIMEOUT_MS,
  )
})

/** Polls until `check` gives a truthy value, for at most a few seconds. */
async function until<T>(check: () => Promise<T | undefined | false>): Promise<T> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const value = await check()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 30))
  }
  throw new Error('gave up waiting')
}
