import { describe, expect, test } from 'vitest'
import { createRelay } from '../../relay/core/create-relay'
import { pagePost } from '../support/page-post'
import { testConfig } from '../support/relay-config'

const APP = 'http://localhost:3000'
const SPA = 'https://spa.example.com'
const STATE = 's'.repeat(43)

const relay = (allowedOrigins: string[] = []) =>
  createRelay(testConfig({ allowedOrigins }), { log: () => {} })

const preflight = (app: ReturnType<typeof relay>, origin: string) =>
  app.request(`${APP}/api/auth/login`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,x-withings-link',
    },
  })

const login = (app: ReturnType<typeof relay>, origin: string) =>
  app.request(`${APP}/api/auth/login`, pagePost(origin, { state: STATE }))

const corsHeaders = (response: Response) =>
  [...response.headers.keys()].filter((name) => name.startsWith('access-control-'))

describe('CORS', () => {
  test('with no ALLOWED_ORIGINS there is no CORS header at all, even for the app itself', async () => {
    const app = relay()
    expect(corsHeaders(await preflight(app, SPA))).toEqual([])
    expect(corsHeaders(await login(app, APP))).toEqual([])
    const config = await app.request(`${APP}/api/config`, { headers: { origin: SPA } })
    expect(corsHeaders(config)).toEqual([])
    // Nor does any answer vary by Origin, so shared caches need not key on it.
    expect(config.headers.get('vary')).toBeNull()
  })

  test('a listed origin: its exact origin, credentials, the custom header, never *', async () => {
    const app = relay([SPA])
    const answer = await preflight(app, SPA)
    expect(answer.status).toBe(204)
    expect(answer.headers.get('access-control-allow-origin')).toBe(SPA)
    expect(answer.headers.get('access-control-allow-credentials')).toBe('true')
    expect(answer.headers.get('access-control-allow-headers')).toBe(
      'Content-Type,X-Withings-Link,Authorization',
    )
    expect(answer.headers.get('access-control-allow-methods')).toBe('GET,POST')
    expect(answer.headers.get('access-control-max-age')).toBe('600')

    const posted = await login(app, SPA)
    expect(posted.status).toBe(204)
    expect(posted.headers.get('access-control-allow-origin')).toBe(SPA)
    expect(posted.headers.get('vary')).toMatch(/Origin/)
    // The page on the other origin reads how long to wait, and the id to quote in a report.
    expect(posted.headers.get('access-control-expose-headers')).toBe('Retry-After,X-Request-Id')
  })

  test('a listed origin may send the access token to the data proxy', async () => {
    const answer = await relay([SPA]).request(`${APP}/api/withings/measure`, {
      method: 'OPTIONS',
      headers: {
        origin: SPA,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-withings-link',
      },
    })
    expect(answer.status).toBe(204)
    expect(answer.headers.get('access-control-allow-headers')).toMatch(/(^|,)Authorization(,|$)/i)
  })

  test.each([
    ['another site', 'https://evil.example'],
    ['a sibling of the listed origin', 'https://evil.spa.example.com'],
    ['the listed host on http', 'http://spa.example.com'],
    ['the listed origin with a trailing slash', `${SPA}/`],
    ['the null origin', 'null'],
  ])('%s: a preflight gets no allow header, and a POST is forbidden', async (_, origin) => {
    const app = relay([SPA])
    const answer = await preflight(app, origin)
    expect(corsHeaders(answer)).toEqual([])
    expect(answer.headers.get('vary')).toMatch(/Origin/)
    const posted = await login(app, origin)
    expect(posted.status).toBe(403)
    expect(corsHeaders(posted)).toEqual([])
  })
})
