import { SEEDED_USERS, type SeededUser } from '../../relay/emulator/users'

// The people of the sync's benchmarks: the emulator's seeded ones, then `count` more who sign in
// with an email and a password (the emulator seeds each one's data from their userid).

export function benchPeople(count: number): SeededUser[] {
  return Array.from({ length: count }, (_, index) => ({
    userid: 30_000_000 + index,
    useridAs: 'number' as const,
    email: `person-${index}@bench.example`,
    password: 'bench-password',
    displayName: `Person ${index}`,
    timezone: 'Europe/Paris',
    demo: false,
    setGoals: true,
  }))
}

export const everyone = (count: number) => [...SEEDED_USERS, ...benchPeople(count)]
