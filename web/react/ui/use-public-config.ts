import type { PublicConfig } from '../../../relay/contract/wire-contract'
import { useWithingsLink } from '../provider'
import { type AsyncState, useAsync } from './use-async'

/** The relay's public settings (client id, redirect URI, authorize URL), with a retry. */
export function usePublicConfig(): { state: AsyncState<PublicConfig>; retry: () => void } {
  return useAsync(useWithingsLink().config)
}
