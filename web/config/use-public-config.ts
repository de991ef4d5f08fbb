import type { PublicConfig } from '../../relay/contract'
import { useAppDeps } from '../app-deps'
import { type AsyncState, useAsync } from '../ui/use-async'

/** The relay's public settings (client id, redirect URI, authorize URL), with a retry. */
export function usePublicConfig(): { state: AsyncState<PublicConfig>; retry: () => void } {
  return useAsync(useAppDeps().relay.config)
}
