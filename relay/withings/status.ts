// Withings answers errors with HTTP 200 and a non-zero `status`. The reference groups the
// statuses into families ("Response Status" section of withings-openapi.yml); this is that table.

export type StatusFamily =
  | 'ok'
  | 'authentication_failed'
  | 'invalid_params'
  | 'unauthorized'
  | 'not_implemented'
  | 'timeout'
  | 'bad_state'
  | 'too_many_requests'
  | 'error_occurred'

type Range = readonly [from: number, to: number, family: StatusFamily]

const TABLE: readonly Range[] = [
  [0, 0, 'ok'],
  [100, 102, 'authentication_failed'],
  [200, 200, 'authentication_failed'],
  [201, 213, 'invalid_params'],
  [214, 214, 'unauthorized'],
  [216, 218, 'invalid_params'],
  [220, 221, 'invalid_params'],
  [223, 223, 'invalid_params'],
  [225, 225, 'invalid_params'],
  [227, 230, 'invalid_params'],
  [234, 236, 'invalid_params'],
  [238, 238, 'invalid_params'],
  [240, 252, 'invalid_params'],
  [254, 254, 'invalid_params'],
  [260, 267, 'invalid_params'],
  [271, 272, 'invalid_params'],
  [275, 276, 'invalid_params'],
  [277, 277, 'unauthorized'],
  [283, 288, 'invalid_params'],
  [290, 290, 'invalid_params'],
  [293, 295, 'invalid_params'],
  [297, 297, 'invalid_params'],
  [300, 304, 'invalid_params'],
  [321, 321, 'invalid_params'],
  [323, 353, 'invalid_params'],
  [380, 382, 'invalid_params'],
  [400, 400, 'invalid_params'],
  [401, 401, 'authentication_failed'],
  [501, 511, 'invalid_params'],
  [522, 522, 'timeout'],
  [523, 523, 'invalid_params'],
  [524, 524, 'bad_state'],
  [532, 532, 'invalid_params'],
  [601, 601, 'too_many_requests'],
  [2553, 2553, 'unauthorized'],
  [2554, 2554, 'not_implemented'],
  [2555, 2555, 'unauthorized'],
  [3017, 3019, 'invalid_params'],
]

/** Every status the table does not name is "An error occurred". */
export function statusFamily(status: number): StatusFamily {
  for (const [from, to, family] of TABLE) if (status >= from && status <= to) return family
  return 'error_occurred'
}
