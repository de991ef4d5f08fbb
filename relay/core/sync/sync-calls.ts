import type { DataService } from '../../contract/wire-contract'
import type { AppBudget } from '../limits/app-budget'
import type { VaultKeeper } from '../session/vault-tokens'
import { parseEnvelope } from '../withings/envelope'
import { statusFamily, withingsError } from '../withings/status'
import { MAX_ANSWER_BYTES, postFormText, type UpstreamOptions } from '../withings/upstream'

/**
 * The sync's calls to Withings, as the data proxy makes a page's: the person's access token from
 * the vault (refreshed when due, once across instances), the app's budget (the sync's share),
 * one refresh and one retry when Withings says the token failed, every other status one of the
 * relay's error codes. A refusal of the person's refresh token marks the connection.
 */
export function syncCalls(
  options: UpstreamOptions & { apiUrl: string; tokens: VaultKeeper; budget: AppBudget },
) {
  const { apiUrl, tokens, budget } = options
  return async (
    userid: string,
    service: DataService,
    params: Record<string, string>,
  ): Promise<Record<string, unknown>> => {
    const ask = async (accessToken: string) => {
      await budget.take('sync')
      const text = await postFormText(options, `${apiUrl}/${service}`, params, {
        headers: { authorization: `Bearer ${accessToken}` },
        maxBytes: MAX_ANSWER_BYTES.data,
      })
      return parseEnvelope(text)
    }
    let held = await tokens.usable(userid)
    let envelope = await ask(held.accessToken)
    if (statusFamily(envelope.status) === 'authentication_failed') {
      held = await tokens.renew(userid, held.accessToken)
      envelope = await ask(held.accessToken)
    }
    if (envelope.status !== 0) throw withingsError(envelope, 'data')
    return envelope.body
  }
}
