import { afterEach, describe, expect, it } from 'vitest'
import { STALE_CHOICE } from '../../relay/emulator/authorize-routes'
import { createApiClient } from '../support/api-client'
import { consentViaHttp } from '../support/consent'
import { connect } from '../support/login'
import { type Stack, startStack } from '../support/stack'
import { authorizeUrl, BASE, exchangeCode, setup } from './support'

// An account shared by several people: after sign-in Withings asks "Select a user", then shows
// the consent page for that user, and the code is for that user's userid.

const FAMILY = { email: 'family@example.com', password: 'family-emulator' }
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()

async function signInToFamily(emulator: ReturnType<typeof setup>['emulator']) {
  const fields = new URLSearchParams(new URL(authorizeUrl()).search)
  fields.set('email', FAMILY.email)
  fields.set('password', FAMILY.password)
  return emulator.fetch(new Request(`${BASE}/oauth2_user/login`, { method: 'POST', body: fields }))
}

describe('"Select a user" in the emulator', () => {
  it('lists the shared account once on the sign-in page, with its users', async () => {
    const { emulator } = setup()
    const body = await (await emulator.fetch(new Request(authorizeUrl()))).text()
    expect(body).toContain(
      '<dt>Family account (users Alex and Sam)</dt><dd>Email <code>family@example.com</code>, password <code>family-emulator</code></dd>',
    )
    expect(body.match(/family@example\.com/g)).toHaveLength(1)
  })

  it('after sign-in: one labelled button per user, in a form, with no script', async () => {
    const { emulator } = setup()
    const response = await signInToFamily(emulator)
    expect(response.status).toBe(200)
    const body = await response.text()
    expect(body).toMatch(/<h1>Select a user<\/h1>/)
    expect(body).toMatch(/<form method="post" action="\/oauth2_user\/select_user">/)
    const buttons = [
      ...body.matchAll(/<button type="submit" name="user" value="[0-9a-f]+">([^<]+)</g),
    ]
    expect(buttons.map((button) => button[1])).toEqual(['Alex', 'Sam'])
    expect(body).not.toMatch(/<script/i)
    expect(body).not.toContain('name="decision"')
  })

  it('the chosen user consents, and the code is for that userid', async () => {
    const { emulator } = setup()
    const [alex, sam] = emulator.users.filter((user) => user.account === 'Family account')
    for (const [profile, user] of [
      [undefined, alex],
      ['Sam', sam],
    ] as const) {
      const callback = await consentViaHttp(authorizeUrl(), {
        ...FAMILY,
        ...(profile && { profile }),
        fetch: emulator.fetch,
      })
      const result = await exchangeCode(emulator, callback.searchParams.get('code') ?? '')
      expect(result.status).toBe(0)
      expect(result.body.userid).toBe(user?.userid)
    }
    expect(alex?.userid).not.toBe(sam?.userid)
  })

  it('the consent page names the user chosen', async () => {
    const { emulator } = setup()
    const page = await (await signInToFamily(emulator)).text()
    const sam = /name="user" value="([0-9a-f]+)">Sam</.exec(page)?.[1] ?? ''
    const fields = new URLSearchParams(new URL(authorizeUrl()).search)
    fields.set('user', sam)
    const select = (body: URLSearchParams) =>
      emulator.fetch(new Request(`${BASE}/oauth2_user/select_user`, { method: 'POST', body }))
    const consent = await select(fields)
    expect(consent.status).toBe(200)
    expect(text(await consent.text())).toContain('Signed in as Sam (family@example.com)')

    // A choice works once, and only for the request it was made for.
    const again = await select(fields)
    expect(again.status).toBe(400)
    expect(await again.text()).toContain(STALE_CHOICE)
    fields.set('user', 'f'.repeat(64))
    expect((await select(fields)).status).toBe(400)
  })

  it('consentViaHttp says so when the user asked for is not on the page', async () => {
    const { emulator } = setup()
    await expect(
      consentViaHttp(authorizeUrl(), { ...FAMILY, profile: 'Kim', fetch: emulator.fetch }),
    ).rejects.toThrow('No user "Kim" to select (there are Alex, Sam)')
  })
})

describe('"Select a user" through the real relay, over HTTP', () => {
  let stack: Stack | undefined
  afterEach(() => stack?.close())

  it('a login as the second user of the account connects that user', async () => {
    stack = await startStack()
    const sam = stack.emulator.users.find((user) => user.displayName === 'Sam')
    const api = createApiClient(stack.appUrl)
    const answer = await connect(stack, api, { demo: false, ...FAMILY, profile: 'Sam' })
    expect(answer.status).toBe(200)
    expect((await answer.json()).userid).toBe(String(sam?.userid))
  })
})
