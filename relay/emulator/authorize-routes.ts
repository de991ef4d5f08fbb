import { Hono } from 'hono'
import { parseAuthorizeRequest } from './authorize-request'
import { callbackUrl } from './callbacks'
import type { ClientRegistry } from './clients'
import { CONSENT_PATH, consentPage } from './consent-page'
import type { ConsentTickets } from './consent-tickets'
import { errorPage } from './error-page'
import { pageHeaders } from './html'
import { readFormBody } from './params'
import { SELECT_USER_PATH, selectUserPage } from './select-user-page'
import { SIGN_IN_PATH, signInPage } from './sign-in-page'
import type { TokenStore } from './token-store'
import { findUser, type SeededUser, signIn } from './users'

// account.withings.com's part of the Web Authorization Flow: GET the authorize URL, sign in (or
// be the demo user with mode=demo), select a user when the account holds several, then Accept
// or Deny. Every step re-validates the request.

interface AuthorizeDeps {
  clients: ClientRegistry
  users: readonly SeededUser[]
  tokens: TokenStore
  tickets: ConsentTickets
  allowLocalCallbacks: boolean
}

const WRONG_PASSWORD = 'Wrong email or password. Check both and try again.'
const STALE_CONSENT =
  'This consent form has expired or was already used. Start again from the application.'
export const STALE_CHOICE =
  'This choice of user has expired or was already made. Start again from the application.'

export function authorizeRoutes(deps: AuthorizeDeps): Hono {
  const { users, tokens, tickets } = deps
  const parse = (params: URLSearchParams) => parseAuthorizeRequest(params, deps)
  const app = new Hono()
  app.use('*', pageHeaders)

  app.get(CONSENT_PATH, (c) => {
    const parsed = parse(new URL(c.req.url).searchParams)
    if (!parsed.ok) return c.html(errorPage(parsed.problems), 400)
    const { request } = parsed
    const demo = users.find((user) => user.demo)
    if (request.demo && demo) {
      return c.html(
        consentPage({ request, user: demo, ticket: tickets.issue(request, demo.userid) }),
      )
    }
    return c.html(signInPage({ request, users }))
  })

  app.post(SIGN_IN_PATH, async (c) => {
    const form = await readFormBody(c.req.raw)
    const parsed = parse(form)
    if (!parsed.ok) return c.html(errorPage(parsed.problems), 400)
    const { request } = parsed
    const email = form.get('email') ?? ''
    const accountUsers = signIn(users, email, form.get('password') ?? '')
    const [user, ...others] = accountUsers
    if (!user) return c.html(signInPage({ request, users, email, error: WRONG_PASSWORD }), 401)
    if (others.length === 0) {
      return c.html(consentPage({ request, user, ticket: tickets.issue(request, user.userid) }))
    }
    const choices = accountUsers.map((choice) => ({
      user: choice,
      ticket: tickets.issue(request, choice.userid),
    }))
    return c.html(selectUserPage({ request, account: user.account ?? user.email, choices }))
  })

  app.post(SELECT_USER_PATH, async (c) => {
    const form = await readFormBody(c.req.raw)
    const parsed = parse(form)
    if (!parsed.ok) return c.html(errorPage(parsed.problems), 400)
    const { request } = parsed
    const userid = tickets.redeem(form.get('user') ?? '', request)
    const user = userid === undefined ? undefined : findUser(users, userid)
    if (!user) return c.html(errorPage([STALE_CHOICE]), 400)
    return c.html(consentPage({ request, user, ticket: tickets.issue(request, user.userid) }))
  })

  app.post(CONSENT_PATH, async (c) => {
    const form = await readFormBody(c.req.raw)
    const parsed = parse(form)
    if (!parsed.ok) return c.html(errorPage(parsed.problems), 400)
    const { request } = parsed
    const decision = form.get('decision')
    if (decision !== 'accept' && decision !== 'deny') {
      return c.html(errorPage(['Choose Accept or Deny.']), 400)
    }
    const userid = tickets.redeem(form.get('ticket') ?? '', request)
    if (userid === undefined) return c.html(errorPage([STALE_CONSENT]), 400)
    if (decision === 'deny') {
      return c.redirect(
        callbackUrl(request.redirectUri, [
          ['error', 'access_denied'],
          ['state', request.state],
        ]),
        302,
      )
    }
    const grant = { clientId: request.client.clientId, userid, scope: request.scopes.join(',') }
    const code = tokens.issueCode(grant, request.redirectUri)
    return c.redirect(
      callbackUrl(request.redirectUri, [
        ['code', code],
        ['state', request.state],
      ]),
      302,
    )
  })

  return app
}
