import type { PublicConfig } from '../../../relay/contract/wire-contract'
import { useWithingsLink } from '../provider'
import { type RelayDataState, useRelayData } from './use-relay-data'

/** The relay's public settings (client id, redirect URI, authorize URL), with a retry. */
export function usePublicConfig(): { state: RelayDataState<PublicConfig>; retry: () => void } {
  return useRelayData(useWithingsLink().config)
}
