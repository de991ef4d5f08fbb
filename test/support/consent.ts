import { SEEDED_USERS } from '../../relay/emulator/users'

// Drives the emulator's real authorize pages over real HTTP, the way a person's browser would:
// GET the authorize URL, sign in if asked, select a user if the account holds several, press
// Accept or Deny, and hand back where Withings redirected to (the callback URL with code and
// state, or with error=access_denied).

export interface ConsentOptions {
  /** Defaults to the first seeded (non-demo) account. Ignored when the URL has mode=demo. */
  email?: string
  password?: string
  /** The user to select, by the name on its button, in an account of several; default the first. */
  profile?: string
  decision?: 'accept' | 'deny'
  /** Defaults to the global fetch (real HTTP); an emulator's own `fetch` drives it in-process. */
  fetch?: (request: Request) => Response | Promise<Response>
}

export async function consentViaHttp(
  authorizeUrl: string,
  opts: ConsentOptions = {},
): Promise<URL> {
  const account = SEEDED_USERS.find((user) => !user.demo)
  const email = opts.email ?? account?.email ?? ''
  const password = opts.password ?? account?.password ?? ''
  const send = opts.fetch ?? fetch
  const post = (action: URL, fields: URLSearchParams) =>
    send(new Request(action, { method: 'POST', body: fields, redirect: 'manual' }))

  let url = new URL(authorizeUrl)
  let response = await send(new Request(url, { redirect: 'manual' }))
  let page = await expectPage(response, 'the authorize page')
  let form = onlyForm(page, url)

  if (form.fields.has('password') || page.includes('name="password"')) {
    form.fields.set('email', email)
    form.fields.set('password', password)
    url = form.action
    response = await post(form.action, form.fields)
    page = await expectPage(response, 'sign-in')
    form = onlyForm(page, url)
  }

  const users = userButtons(page)
  if (users.length > 0) {
    const chosen =
      opts.profile === undefined ? users[0] : users.find((u) => u.name === opts.profile)
    if (!chosen) {
      const names = users.map((u) => u.name).join(', ')
      throw new Error(`No user "${opts.profile}" to select (there are ${names})`)
    }
    form.fields.set(chosen.field, chosen.value)
    url = form.action
    response = await post(form.action, form.fields)
    page = await expectPage(response, 'Select a user')
    form = onlyForm(page, url)
  }

  form.fields.set('decision', opts.decision ?? 'accept')
  response = await post(form.action, form.fields)
  const location = response.headers.get('location')
  if (response.status !== 302 || !location) {
    throw new Error(`Consent did not redirect (HTTP ${response.status}): ${await response.text()}`)
  }
  return new URL(location, form.action)
}

interface ParsedForm {
  action: URL
  fields: URLSearchParams
}

async function expectPage(response: Response, step: string): Promise<string> {
  const text = await response.text()
  if (response.status !== 200) {
    throw new Error(`Unexpected HTTP ${response.status} at ${step}: ${visibleText(text)}`)
  }
  return text
}

/** The page's single POST form: its action and every hidden field, entities decoded. */
function onlyForm(page: string, base: URL): ParsedForm {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(page)
  if (!form) throw new Error(`No form on the page: ${visibleText(page)}`)
  const action = attribute(form[1] ?? '', 'action') ?? base.pathname
  const fields = new URLSearchParams()
  for (const input of (form[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
    const attributes = input[1] ?? ''
    const name = attribute(attributes, 'name')
    if (name && attribute(attributes, 'type') === 'hidden') {
      fields.append(name, attribute(attributes, 'value') ?? '')
    }
  }
  return { action: new URL(action, base), fields }
}

/** The submit buttons that carry a value, as on the "Select a user" page: name, field, value. */
function userButtons(page: string): { name: string; field: string; value: string }[] {
  const buttons = []
  for (const button of page.matchAll(/<button\b([^>]*)>([^<]*)<\/button>/gi)) {
    const attributes = button[1] ?? ''
    const field = attribute(attributes, 'name')
    const value = attribute(attributes, 'value')
    if (field && value && field !== 'decision') {
      buttons.push({ name: decodeEntities((button[2] ?? '').trim()), field, value })
    }
  }
  return buttons
}

function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(attributes)
  return match?.[1] === undefined ? undefined : decodeEntities(match[1])
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    const lower = entity.toLowerCase()
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16))
    if (lower.startsWith('#')) return String.fromCodePoint(Number(lower.slice(1)))
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? _
  })
}

const visibleText = (html: string) =>
  html
    .replace(/<style[\s\S]*?<\/style>/gi, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500)
