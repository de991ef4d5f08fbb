import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import type { SyncStatus } from '../../relay/contract/stored-data'
import type { PublicConfig } from '../../relay/contract/wire-contract'
import { PGLITE_PG_VERSION } from '../../relay/sync/db/open-database'
import { createApiClient } from '../support/api-client'
import { killEntries, runStart } from '../support/entry-process'
import { startLoginAt } from '../support/login'
import { until } from '../support/until'

// `npm start` with sync on, as a new user runs it: the data, the generated key and the
// emulator's grants kept under DATA_DIR, so that a restart keeps the person connected, their
// history there, and a view of it costs Withings nothing.

afterEach(killEntries)

describe('npm start with sync', () => {
  test('a restart keeps the person connected and their history; a view makes no Withings call', async () => {
    const first = runStart({ env: {} })
    const url = await first.url()
    const { cwd } = first
    expect(first.output().stdout).toContain(
      'RELAY_SECRET is not set: the key that seals sessions and tokens is kept in .data/relay-secret (readable by you only).',
    )
    const key = join(cwd, '.data/relay-secret')
    expect(statSync(key).mode & 0o777).toBe(0o600)

    const api = createApiClient(url)
    const config = (await (await api.request('/api/config')).json()) as PublicConfig
    expect(config.sync).toBe(true)
    const login = await startLoginAt(api, config)
    expect((await api.post('/api/auth/token', login.body)).status).toBe(200)
    const imported = await until(
      async () => (await (await api.request('/api/data/status')).json()) as SyncStatus,
      (status) => status.state === 'ready',
      30_000,
      250,
    )
    const weighings = imported.sources.find((source) => source.source === 'measures')?.records
    expect(weighings).toBeGreaterThan(100)

    first.child.kill('SIGTERM')
    expect(await first.exited).toBe(0)
    // The embedded Postgres wrote the version the relay checks a folder against.
    expect(readFileSync(join(cwd, '.data/postgres/PG_VERSION'), 'utf8').trim()).toBe(
      PGLITE_PG_VERSION,
    )

    const second = runStart({ env: {}, cwd })
    const again = await second.url()
    const back = createApiClient(again)
    for (const [name, value] of api.jar) back.jar.set(name, value)
    const emulator = new URL(config.authorize_url).origin
    const { authorize_url } = (await (await back.request('/api/config')).json()) as PublicConfig
    const emulatorAgain = new URL(authorize_url).origin
    await fetch(`${emulatorAgain}/_emulator/requests`, { method: 'DELETE' })

    const session = await back.post('/api/auth/session')
    expect(session.status).toBe(200)
    const status = (await (await back.request('/api/data/status')).json()) as SyncStatus
    expect(status.sources.find((source) => source.source === 'measures')?.records).toBe(weighings)
    const measures = await back.request('/api/data/measures?types=1')
    expect(measures.status).toBe(200)
    expect(((await measures.json()) as { measures: unknown[] }).measures.length).toBeGreaterThan(10)
    const counts = await (await fetch(`${emulatorAgain}/_emulator/requests`)).json()
    expect(counts.data).toBe(0)
    expect(emulator).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  }, 90_000)
})
