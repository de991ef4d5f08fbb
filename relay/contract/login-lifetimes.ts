/** Withings' code lifetime: the exchange has to finish inside this budget. */
export const CODE_LIFETIME_SECONDS = 30
/** How long a pending login (state) stays valid, in the SPA and in the login cookie. */
export const PENDING_LOGIN_SECONDS = 600
