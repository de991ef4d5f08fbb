import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createSync, type Sync } from '../../relay/sync/create-sync'
import type { SyncDatabase } from '../../relay/sync/db/open-database'
import { createWebhookSigner } from '../../relay/sync/delivery/webhook-signature'
import { createApiClient } from '../support/api-client'
import { type Entry, killEntries, ROOT, runEntry } from '../support/entry-process'
import { connect } from '../support/login'
import { RELAY_KEY, type Stack, startStack } from '../support/stack'
import { pgliteDatabase, warmPglite } from '../support/sync-database'
import { until } from '../support/until'
import { webhookSecret } from '../support/webhook-receiver'

// The receivers of docs/webhooks.md, run from the page's own code (Hono, then Express), each
// receiving a person's import from the relay: every delivery verified by the `standardwebhooks`
// package and taken once, one with a wrong signature refused, one sent again taken once.

const PAGE = readFileSync(join(ROOT, 'docs/webhooks.md'), 'utf8')
const DIR = join(ROOT, 'test/.artifacts/receivers')
const secret = webhookSecret()

/** The page's code block that starts with `// {name}`. */
function receiverCode(name: string): string {
  const block = [...PAGE.matchAll(/```js\n([\s\S]*?)```/g)]
    .map((match) => match[1] ?? '')
    .find((code) => code.startsWith(`// ${name}`))
  if (!block) throw new Error(`docs/webhooks.md has no code block for ${name}`)
  return block
}

describe.each(['receiver-hono.mjs', 'receiver-express.mjs'])(
  '%s, from docs/webhooks.md',
  (name) => {
    let receiver: Entry
    let url: string
    let database: SyncDatabase
    let sync: Sync
    let stack: Stack

    beforeAll(async () => {
      mkdirSync(DIR, { recursive: true })
      writeFileSync(join(DIR, name), receiverCode(name))
      receiver = runEntry(process.execPath, [join(DIR, name)], {
        cwd: DIR,
        env: { WEBHOOK_SECRET: secret, PORT: '0' },
      })
      const port = (await receiver.waitFor(/receiving on (\d+)/))[1]
      url = `http://127.0.0.1:${port}/withings/webhooks`
      await warmPglite()
      database = await pgliteDatabase()
      sync = createSync({
        database,
        relaySecrets: [RELAY_KEY],
        webhook: { url, secrets: [secret] },
      })
      stack = await startStack({ sync })
    }, 60_000)

    afterAll(async () => {
      await sync?.close()
      await stack?.close()
      await database?.close()
      killEntries()
    })

    const heard = () =>
      receiver.logLines().filter((line) => typeof line.type === 'string') as {
        id: string
        type: string
      }[]

    test("takes a person's import, each delivery once", async () => {
      await connect(stack, createApiClient(stack.appUrl))
      await until(
        async () => heard(),
        (lines) => lines.some((line) => line.type === 'backfill.completed'),
        20_000,
      )
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from sync_event`.execute(
        database.db,
      )
      const lines = await until(
        async () => heard(),
        (got) => got.length === rows[0]?.n,
      )
      expect(new Set(lines.map((line) => line.id)).size).toBe(lines.length)
      expect(lines.map((line) => line.type)).toEqual(
        expect.arrayContaining(['connection.created', 'measures.created', 'backfill.completed']),
      )
    }, 30_000)

    test('refuses a wrong signature, and takes a delivery sent again once', async () => {
      const body = JSON.stringify({
        type: 'bed.in',
        timestamp: new Date().toISOString(),
        data: { userid: 363, records: [] },
      })
      const send = async (id: string, secrets: string[]) => {
        const timestamp = Math.floor(Date.now() / 1000)
        return fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': await createWebhookSigner(secrets).sign(id, timestamp, body),
          },
          body,
        })
      }
      const before = heard().length
      expect((await send('msg_forged', [webhookSecret()])).status).toBe(400)
      // A rotation under way: the new secret's signature beside the one the receiver holds.
      expect((await send('msg_again', [webhookSecret(), secret])).status).toBe(204)
      expect((await send('msg_again', [secret])).status).toBe(204)
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(heard().slice(before)).toEqual([{ id: 'msg_again', type: 'bed.in', userid: 363 }])
    })
  },
)
