/** Public, non-secret settings the SPA needs to build the authorize URL (`GET /api/config`). */
export interface PublicConfig {
  client_id: string
  redirect_uri: string
  authorize_url: string
  /** True when the relay talks to the built-in emulator rather than Withings. */
  emulator: boolean
  /** True when the relay keeps the person's data (withings-link/sync): pages read `/api/data`. */
  sync?: boolean
}
