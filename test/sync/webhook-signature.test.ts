import fc from 'fast-check'
import { Webhook, WebhookVerificationError } from 'standardwebhooks'
import { describe, expect, test } from 'vitest'
import { parseConfig } from '../../relay/core/config'
import { createWebhookSigner } from '../../relay/sync/delivery/webhook-signature'
import { accepted, refused } from '../support/relay-config'
import { webhookSecret } from '../support/webhook-receiver'

// The relay signs its webhooks with Web Crypto; the receivers verify them with the
// `standardwebhooks` package. Both say the same: the specification's test vector, and any secret,
// id, time and body (the package's own verify, with each secret of a rotation alone).

describe('the webhook signature', () => {
  test("is the specification's test vector", async () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
    const body = '{"test": 2432232314}'
    const signature = await createWebhookSigner([secret]).sign(
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1_614_265_330,
      body,
    )
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=')
  })

  test('verifies with the standardwebhooks package, any id, body and secret; with each secret of a rotation', async () => {
    const bytes = fc.uint8Array({ minLength: 24, maxLength: 64 })
    await fc.assert(
      fc.asyncProperty(
        fc.array(bytes, { minLength: 1, maxLength: 3 }),
        fc.stringMatching(/^msg_[A-Za-z0-9]{1,32}$/),
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        async (keys, id, text) => {
          const secrets = keys.map((key) => `whsec_${Buffer.from(key).toString('base64')}`)
          const body = JSON.stringify({ type: 'measures.created', data: { text } })
          const timestamp = Math.floor(Date.now() / 1000)
          const headers = {
            'webhook-id': id,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': await createWebhookSigner(secrets).sign(id, timestamp, body),
          }
          for (const secret of secrets) {
            expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body))
          }
          expect(() => new Webhook(webhookSecret()).verify(body, headers)).toThrow(
            WebhookVerificationError,
          )
          expect(() => new Webhook(secrets[0] ?? '').verify(`${body} `, headers)).toThrow(
            WebhookVerificationError,
          )
        },
      ),
      { numRuns: 60 },
    )
  })
})

describe('WEBHOOK_URL and WEBHOOK_SECRET', () => {
  const base = {
    WITHINGS_CLIENT_ID: 'client',
    WITHINGS_CLIENT_SECRET: 'secret',
    WITHINGS_REDIRECT_URI: 'https://app.example.com/callback',
    RELAY_SECRET: 'kT2m9Qx7Vb4Nc1Zr8Lw3Hd6Jp0Fs5Ya2Ge9Uk4Xo7Mi=',
  }
  const secret = webhookSecret()

  test('an https receiver, or http on loopback, with whsec_ secrets (several: a rotation)', () => {
    const https = accepted(
      parseConfig({
        ...base,
        WEBHOOK_URL: 'https://api.example.com/hooks',
        WEBHOOK_SECRET: secret,
      }),
    )
    expect(https.config.sync?.webhook).toEqual({
      url: 'https://api.example.com/hooks',
      secrets: [secret],
    })
    const older = webhookSecret()
    const local = accepted(
      parseConfig({
        ...base,
        WEBHOOK_URL: 'http://127.0.0.1:4000/hooks',
        WEBHOOK_SECRET: `${secret}, ${older}`,
      }),
    )
    expect(local.config.sync?.webhook?.secrets).toEqual([secret, older])
    expect(accepted(parseConfig(base)).config.sync?.webhook).toBeUndefined()
  })

  test('each refusal is one sentence, naming neither the URL nor a secret', () => {
    const problems = (env: Record<string, string>) => {
      const found = refused(parseConfig({ ...base, ...env }))
      for (const problem of found) {
        expect(problem).not.toContain('s3cr3t')
        expect(problem).not.toContain(secret)
      }
      return found
    }
    expect(
      problems({ WEBHOOK_URL: 'ftp://api.example.com/s3cr3t', WEBHOOK_SECRET: secret }),
    ).toEqual([expect.stringMatching(/^WEBHOOK_URL must be an absolute http\(s\) URL/)])
    expect(
      problems({ WEBHOOK_URL: 'http://api.example.com/s3cr3t', WEBHOOK_SECRET: secret }),
    ).toEqual([expect.stringMatching(/^WEBHOOK_URL is plain http on api\.example\.com: /)])
    expect(problems({ WEBHOOK_URL: 'https://api.example.com/s3cr3t' })).toEqual([
      expect.stringMatching(/^WEBHOOK_URL is set without WEBHOOK_SECRET/),
    ])
    const short = `whsec_${Buffer.from('s3cr3t-only-20-bytes!').toString('base64')}`
    expect(
      problems({
        WEBHOOK_URL: 'https://api.example.com/hooks',
        WEBHOOK_SECRET: `${secret},${short}`,
      }),
    ).toEqual([expect.stringMatching(/^WEBHOOK_SECRET: secret 2 of 2 is not whsec_ followed by/)])
    expect(
      problems({
        WEBHOOK_URL: 'https://api.example.com/hooks',
        WEBHOOK_SECRET: 's3cr3t'.repeat(8),
      }),
    ).toEqual([expect.stringMatching(/^WEBHOOK_SECRET: the secret is not whsec_/)])
    expect(problems({ WEBHOOK_SECRET: secret })).toEqual([
      'WEBHOOK_SECRET is set without WEBHOOK_URL, where the deliveries would go.',
    ])
    expect(
      problems({
        SYNC: 'off',
        WEBHOOK_URL: 'https://api.example.com/hooks',
        WEBHOOK_SECRET: secret,
      }),
    ).toEqual(['WEBHOOK_URL tells of the changes the sync stores, and SYNC=off turns it off.'])
  })
})
