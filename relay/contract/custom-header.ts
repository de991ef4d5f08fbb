/** The static header every mutating call must carry: a cross-site form cannot set it. */
export const CUSTOM_HEADER = 'X-Withings-Link'
export const CUSTOM_HEADER_VALUE = '1'
