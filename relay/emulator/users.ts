// The accounts that exist in the emulator. Passwords are shown on the sign-in page on purpose:
// this is a local test double and nobody's real data lives here.

export interface SeededUser {
  userid: number
  /** Real Withings sends `userid` sometimes as a number, sometimes as a string; so do we. */
  useridAs: 'number' | 'string'
  email: string
  password: string
  displayName: string
  /** IANA zone the seeded data is recorded in (Withings reports one per measure and per day). */
  timezone: string
  demo: boolean
}

/** Demo user first: `mode=demo` signs this account in without a password. */
export const SEEDED_USERS: readonly SeededUser[] = [
  {
    // 363 is the userid of the reference's own token response example.
    userid: 363,
    useridAs: 'number',
    email: 'demo@withings.example',
    password: 'demo',
    displayName: 'Demo User',
    timezone: 'Europe/Paris',
    demo: true,
  },
  {
    userid: 4815162,
    useridAs: 'number',
    email: 'ada@example.com',
    password: 'ada-emulator',
    displayName: 'Ada Lovelace',
    timezone: 'Europe/London',
    demo: false,
  },
  {
    userid: 2342108,
    useridAs: 'string',
    email: 'grace@example.com',
    password: 'grace-emulator',
    displayName: 'Grace Hopper',
    timezone: 'America/New_York',
    demo: false,
  },
]

export function findUser(users: readonly SeededUser[], userid: number): SeededUser | undefined {
  return users.find((user) => user.userid === userid)
}

/** Email compared case-insensitively, password exactly; undefined for any mismatch. */
export function signIn(
  users: readonly SeededUser[],
  email: string,
  password: string,
): SeededUser | undefined {
  const wanted = email.trim().toLowerCase()
  const user = users.find((candidate) => candidate.email.toLowerCase() === wanted)
  return user && user.password === password ? user : undefined
}

export const useridForWire = (user: SeededUser): number | string =>
  user.useridAs === 'number' ? user.userid : String(user.userid)
