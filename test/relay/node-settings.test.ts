import { describe, expect, test } from 'vitest'
import { parseNodeSettings } from '../../relay/server/settings'

// The Node server's own settings (relay/server/settings.ts), parsed once for `npm start` and
// `npm run dev` alike: defaults as the README's configuration table says, one sentence a problem.

const CREDENTIALS = { WITHINGS_CLIENT_ID: 'id', WITHINGS_CLIENT_SECRET: 'secret' }

describe('parseNodeSettings', () => {
  test('a deployment: port 3000 on every interface, dist/, no emulator', () => {
    expect(parseNodeSettings(CREDENTIALS)).toEqual({
      ok: true,
      settings: {
        port: 3000,
        host: '0.0.0.0',
        staticDir: 'dist',
        connectOrigins: [],
        emulator: undefined,
        // Sync is on by default: what outlives a restart is kept here.
        dataDir: '.data',
      },
    })
  })

  test('without credentials: the local demo stays on 127.0.0.1, with the emulator', () => {
    expect(parseNodeSettings({ WITHINGS_CLIENT_ID: ' ' })).toMatchObject({
      ok: true,
      settings: { host: '127.0.0.1', emulator: { port: 0, tokenTtlSeconds: 10_800 } },
    })
  })

  test('SYNC=off keeps nothing: no data folder', () => {
    expect(parseNodeSettings({ ...CREDENTIALS, SYNC: 'off', DATA_DIR: 'x' })).toMatchObject({
      ok: true,
      settings: { dataDir: undefined },
    })
  })

  test('`npm run dev` stays on 127.0.0.1, with real credentials too', () => {
    expect(parseNodeSettings(CREDENTIALS, { dev: true })).toMatchObject({
      ok: true,
      settings: { host: '127.0.0.1', emulator: undefined },
    })
  })

  test('every setting taken as given', () => {
    const parsed = parseNodeSettings({
      PORT: '8080',
      HOST: '::',
      STATIC_DIR: 'public/app',
      VITE_RELAY_URL: 'https://relay.example.com/base',
      EMULATOR_PORT: '9090',
      EMULATOR_TOKEN_TTL_SECONDS: '60',
      DATA_DIR: '/var/lib/withings-link',
    })
    expect(parsed).toEqual({
      ok: true,
      settings: {
        port: 8080,
        host: '::',
        staticDir: 'public/app',
        connectOrigins: ['https://relay.example.com'],
        emulator: { port: 9090, tokenTtlSeconds: 60 },
        dataDir: '/var/lib/withings-link',
      },
    })
  })

  test.each([
    ['PORT', 'eighty', 'PORT must be a whole number from 0 to 65535 (got "eighty").'],
    ['PORT', '65536', 'PORT must be a whole number from 0 to 65535 (got "65536").'],
    [
      'EMULATOR_PORT',
      'abc',
      'EMULATOR_PORT must be a whole number from 0 to 65535, the port of the local emulator, 0 for any free one (got "abc").',
    ],
    [
      'EMULATOR_TOKEN_TTL_SECONDS',
      'banana',
      `EMULATOR_TOKEN_TTL_SECONDS must be a whole number from 1 to 604800, the emulator's access-token life in seconds, 10800 at Withings (got "banana").`,
    ],
    [
      'EMULATOR_TOKEN_TTL_SECONDS',
      '0',
      `EMULATOR_TOKEN_TTL_SECONDS must be a whole number from 1 to 604800, the emulator's access-token life in seconds, 10800 at Withings (got "0").`,
    ],
    [
      'HOST',
      'http://0.0.0.0',
      'HOST must be an address or a host name to listen on, such as 0.0.0.0, 127.0.0.1 or :: (got "http://0.0.0.0").',
    ],
    [
      'VITE_RELAY_URL',
      'relay.example.com',
      'VITE_RELAY_URL must be an absolute http(s) URL (got "relay.example.com").',
    ],
  ])('%s=%j is refused in one sentence', (name, value, problem) => {
    expect(parseNodeSettings({ [name]: value })).toEqual({ ok: false, problems: [problem] })
  })

  test('every problem at once', () => {
    const parsed = parseNodeSettings({
      PORT: '-1',
      EMULATOR_PORT: 'x',
      EMULATOR_TOKEN_TTL_SECONDS: 'y',
    })
    expect(parsed.ok ? [] : parsed.problems.map((problem) => problem.split(' ')[0])).toEqual([
      'PORT',
      'EMULATOR_PORT',
      'EMULATOR_TOKEN_TTL_SECONDS',
    ])
  })

  test("the emulator's settings count only when the emulator runs", () => {
    expect(parseNodeSettings({ ...CREDENTIALS, EMULATOR_PORT: 'abc' })).toMatchObject({ ok: true })
  })
})
