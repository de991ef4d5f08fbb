import { PENDING_LOGIN_SECONDS } from '../../contract/wire-contract'
import { RelayError } from '../errors'
import type { SharedStore } from '../store/shared-store'

// One state, one exchange. The login cookie drops a state once used, but a copy of the cookie
// from before the exchange still holds it; so the relay remembers every state it exchanged for
// as long as a state lives, in the store every instance shares. States are kept as digests, and
// only once the sign-in limits let the exchange go on (routes/auth.ts): a client refused by them
// writes nothing, so the markers one client can leave are as few as the exchanges it may make.

export interface SpentStates {
  /** Marks `state` used; throws invalid_state when it already was. */
  spend(state: string): Promise<void>
}

export function createSpentStates(store: SharedStore): SpentStates {
  return {
    async spend(state) {
      let first: boolean
      try {
        first = await store.set(`spent-state:${await digest(state)}`, '1', {
          ttlMs: PENDING_LOGIN_SECONDS * 1000,
          ifAbsent: true,
        })
      } catch (cause) {
        // Fails closed: a sign-in is rare and can be tried again, a replayed state cannot be undone.
        throw new RelayError(
          'relay_unavailable',
          'The relay cannot check this sign-in just now: try again.',
          { cause },
        )
      }
      if (!first) throw new RelayError('invalid_state', 'This sign-in was already used.')
    },
  }
}

async function digest(text: string): Promise<string> {
  const bytes = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, '0')).join('')
}
