import { Hono, type MiddlewareHandler } from 'hono'
import type { Session } from '../cookies/session-cookie'
import { readJsonObject } from '../http/json-body'
import type { AppBudget } from '../limits/app-budget'
import { type SessionEnv, sessionContext } from '../session/session-context'
import type { Sessions } from '../session/sessions'
import { type DataRequest, parseDataRequest } from '../withings/data-request'
import { parseEnvelope } from '../withings/envelope'
import { statusFamily, withingsError } from '../withings/status'
import { MAX_ANSWER_BYTES, postFormText, type UpstreamOptions } from '../withings/upstream'

interface WithingsProxyOptions extends UpstreamOptions {
  apiUrl: string
  sessions: Sessions
  budget: AppBudget
}

/**
 * `POST /api/withings/{service}`: Withings refuses browser calls, so the relay forwards the
 * allow-listed ones with the session's own access token (sealed in its cookie; the page never
 * holds one) and hands back Withings' envelope exactly as sent when its status is 0. Every other
 * status becomes one of the relay's error codes. Nothing leaves before the session, the action and
 * every parameter pass.
 */
type ProxyEnv = { Variables: SessionEnv['Variables'] & { request: DataRequest } }

/** The request checked before the session is looked up: a refused one costs Withings nothing. */
const checked: MiddlewareHandler<ProxyEnv> = async function checked(c, next) {
  c.set('request', parseDataRequest(c.req.param('service') ?? '', await readJsonObject(c)))
  await next()
}

export function withingsProxy(options: WithingsProxyOptions): Hono<ProxyEnv> {
  const { apiUrl, sessions, budget } = options

  return new Hono<ProxyEnv>().post(
    '/:service{.+}',
    checked,
    sessionContext(sessions),
    async (c) => {
      const { service, params } = c.get('request')
      const ask = async (session: Session) => {
        await budget.take('data')
        const text = await postFormText(options, `${apiUrl}/${service}`, params, {
          headers: { authorization: `Bearer ${session.accessToken}` },
          maxBytes: MAX_ANSWER_BYTES.data,
        })
        return { text, envelope: parseEnvelope(text) }
      }

      let session = c.get('session')
      let answer = await ask(session)
      // "Authentication failed" on a data call is about the access token (reference, "Response
      // Status"): it may have been revoked or expired early. One refresh, one retry.
      if (!c.get('refreshed') && statusFamily(answer.envelope.status) === 'authentication_failed') {
        ;({ session } = await sessions.usable(c, session, { force: true }))
        answer = await ask(session)
      }
      if (answer.envelope.status !== 0) {
        const error = withingsError(answer.envelope, 'data')
        if (error.code === 'session_expired') sessions.discard(c, session)
        throw error
      }
      return c.body(answer.text, 200, { 'content-type': 'application/json; charset=utf-8' })
    },
  )
}
