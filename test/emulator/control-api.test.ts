import { describe, expect, it } from 'vitest'
import { BASE, dataCall, setup, signedIn } from './support'

const json = (method: string, path: string, body?: unknown) =>
  new Request(`${BASE}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  })

describe('control API', () => {
  it('is off by default', async () => {
    const { emulator } = setup()
    expect((await emulator.fetch(json('GET', '/_emulator/requests'))).status).toBe(404)
    expect(
      (await emulator.fetch(json('POST', '/_emulator/faults', { fault: { type: 'reset' } })))
        .status,
    ).toBe(404)
  })

  it('reports request counts and clears them', async () => {
    const { emulator } = setup({ controlApi: true })
    const tokens = await signedIn(emulator, { mode: 'demo' })
    await dataCall(emulator, 'measure', { action: 'getmeas' }, tokens.access)
    const response = await emulator.fetch(json('GET', '/_emulator/requests'))
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      total: 2,
      token: 1,
      data: 1,
      grantTypes: { authorization_code: 1 },
      actions: { 'measure/getmeas': 1 },
      entries: [{ route: 'token' }, { route: 'data', service: 'measure', action: 'getmeas' }],
    })
    expect((await emulator.fetch(json('DELETE', '/_emulator/requests'))).status).toBe(204)
    expect(emulator.requests.count()).toBe(0)
  })

  it('arms, lists and clears faults', async () => {
    const { emulator } = setup({ controlApi: true })
    const tokens = await signedIn(emulator, { mode: 'demo' })
    const armed = await emulator.fetch(
      json('POST', '/_emulator/faults', {
        fault: { type: 'status', status: 601 },
        on: 'data',
        times: 2,
      }),
    )
    expect(armed.status).toBe(201)
    expect(await (await emulator.fetch(json('GET', '/_emulator/faults'))).json()).toEqual({
      faults: [{ fault: { type: 'status', status: 601 }, on: 'data', times: 2 }],
    })
    expect((await dataCall(emulator, 'measure', { action: 'getmeas' }, tokens.access)).status).toBe(
      601,
    )

    await emulator.fetch(
      json('POST', '/_emulator/faults', { fault: { type: 'http', status: 503 } }),
    )
    expect(
      (await (await emulator.fetch(json('GET', '/_emulator/faults'))).json()) as unknown,
    ).toEqual({
      faults: [
        { fault: { type: 'status', status: 601 }, on: 'data', times: 1 },
        { fault: { type: 'http', status: 503 }, on: 'all', times: null },
      ],
    })
    expect((await emulator.fetch(json('DELETE', '/_emulator/faults'))).status).toBe(204)
    expect(emulator.faults.active).toEqual([])
    expect((await dataCall(emulator, 'measure', { action: 'getmeas' }, tokens.access)).status).toBe(
      0,
    )
  })

  it('refuses malformed faults and non-JSON bodies', async () => {
    const { emulator } = setup({ controlApi: true })
    const bad = await emulator.fetch(
      json('POST', '/_emulator/faults', { fault: { type: 'http', status: 418 } }),
    )
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ error: 'http needs status 500, 502, 503 or 504' })
    const form = await emulator.fetch(
      new Request(`${BASE}/_emulator/faults`, {
        method: 'POST',
        body: new URLSearchParams({ fault: 'reset' }),
      }),
    )
    expect(form.status).toBe(415)
    expect(emulator.faults.active).toEqual([])
  })
})

describe('landing page', () => {
  it('says what this is and lists the routes, never a secret', async () => {
    const { emulator } = setup({ controlApi: true })
    const response = await emulator.fetch(new Request(`${BASE}/`))
    expect(response.status).toBe(200)
    const body = await response.text()
    expect(body).toContain('<h1>Withings emulator</h1>')
    for (const route of [
      '/oauth2_user/authorize2',
      '/v2/oauth2',
      '/measure',
      '/v2/sleep',
      '/_emulator/faults',
    ]) {
      expect(body).toContain(route)
    }
    expect(body).toContain('test-client-id')
    expect(body).not.toContain('test-client-secret')
  })
})
