// The accounts that exist in the emulator. Passwords are shown on the sign-in page on purpose:
// this is a local test double and nobody's real data lives here. A Withings account may hold
// several people, each a user with their own userid and data (home-assistant/home-assistant.io
// issue 35664: "3 users under one account"); after sign-in Withings asks which one connects.

/** One person: a Withings user. Users of one account share its email and password. */
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
  /** The account's name, when it holds several users. */
  account?: string
  /** false for someone who never set a goal: getgoals then answers `goals: []`
   * (home-assistant/core issue 102847). */
  setGoals: boolean
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
    setGoals: true,
  },
  {
    userid: 4815162,
    useridAs: 'number',
    email: 'ada@example.com',
    password: 'ada-emulator',
    displayName: 'Ada Lovelace',
    timezone: 'Europe/London',
    demo: false,
    setGoals: true,
  },
  {
    userid: 2342108,
    useridAs: 'string',
    email: 'grace@example.com',
    password: 'grace-emulator',
    displayName: 'Grace Hopper',
    timezone: 'America/New_York',
    demo: false,
    setGoals: false,
  },
  {
    userid: 5261001,
    useridAs: 'number',
    email: 'family@example.com',
    password: 'family-emulator',
    displayName: 'Alex',
    timezone: 'Europe/Berlin',
    demo: false,
    account: 'Family account',
    setGoals: true,
  },
  {
    userid: 5261002,
    useridAs: 'number',
    email: 'family@example.com',
    password: 'family-emulator',
    displayName: 'Sam',
    timezone: 'Europe/Berlin',
    demo: false,
    account: 'Family account',
    setGoals: true,
  },
]

export interface SeededAccount {
  /** The account's name, or its one user's. */
  name: string
  email: string
  password: string
  users: SeededUser[]
}

/** The accounts one signs in to, in the users' order: users sharing an email share an account. */
export function accountsOf(users: readonly SeededUser[]): SeededAccount[] {
  const accounts = new Map<string, SeededAccount>()
  for (const user of users) {
    const account = accounts.get(user.email)
    if (account) account.users.push(user)
    else {
      const { email, password } = user
      accounts.set(email, {
        name: user.account ?? user.displayName,
        email,
        password,
        users: [user],
      })
    }
  }
  return [...accounts.values()]
}

export function findUser(users: readonly SeededUser[], userid: number): SeededUser | undefined {
  return users.find((user) => user.userid === userid)
}

/**
 * The users of the account signed in to, in order: email compared case-insensitively, password
 * exactly; none for any mismatch.
 */
export function signIn(
  users: readonly SeededUser[],
  email: string,
  password: string,
): SeededUser[] {
  const wanted = email.trim().toLowerCase()
  return users.filter(
    (candidate) => candidate.email.toLowerCase() === wanted && candidate.password === password,
  )
}

export const useridForWire = (user: SeededUser): number | string =>
  user.useridAs === 'number' ? user.userid : String(user.userid)
