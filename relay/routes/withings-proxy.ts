import { Hono } from 'hono'
import { RelayError } from '../errors'
import { bearerToken } from '../http/bearer'
import { readJsonObject } from '../http/json-body'
import type { RelayEnv } from '../http/request-log'
import { parseDataRequest } from '../withings/data-request'
import { parseEnvelope, withoutEchoes } from '../withings/envelope'
import { statusFamily } from '../withings/status'
import { postFormText, type UpstreamOptions } from '../withings/upstream'

export interface WithingsProxyOptions extends UpstreamOptions {
  apiUrl: string
}

/**
 * `POST /api/withings/{service}` (DESIGN §2.6, §3): Withings refuses browser calls, so the relay
 * forwards the allow-listed ones with the SPA's access token, once, and hands back Withings'
 * envelope exactly as sent. Nothing leaves before the token, the action and every parameter pass.
 */
export function withingsProxy(options: WithingsProxyOptions): Hono<RelayEnv> {
  return new Hono<RelayEnv>().post('/:service{.+}', async (c) => {
    const token = bearerToken(c.req.header('authorization'))
    const { service, params } = parseDataRequest(c.req.param('service'), await readJsonObject(c))
    const text = await postFormText(options, `${options.apiUrl}/${service}`, params, {
      authorization: `Bearer ${token}`,
    })
    const { status, error } = withoutEchoes(parseEnvelope(text), [token])
    // The access token is a data call's only credential, so "Authentication failed" (status 401
    // for an expired or revoked token, reference "Response Status") is about that token.
    if (statusFamily(status) === 'authentication_failed') {
      const said = error ? ` Withings said: "${error}"` : ''
      throw new RelayError(
        'token_expired',
        `Withings no longer accepts this access token: refresh it and try again.${said} (status ${status}).`,
      )
    }
    return c.body(text, 200, { 'content-type': 'application/json; charset=utf-8' })
  })
}
