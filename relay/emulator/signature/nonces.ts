import { randomHex } from '../random'

// Nonces of Signature v2 - Getnonce (reference: signaturev2-getnonce): "generated and stored in
// Withings server with 30 minutes of validity", each usable once, by the client that asked for it.

const NONCE_LIFETIME_MS = 30 * 60 * 1000

export interface NonceStore {
  /** A fresh nonce for `clientId`: 40 hex characters, like the reference's example. */
  issue(clientId: string): string
  /** Spends the nonce: true once for a live nonce of this client, false ever after. */
  spend(nonce: string, clientId: string): boolean
}

interface NonceRecord {
  clientId: string
  issuedAt: number
}

export function createNonceStore({ now }: { now: () => number }): NonceStore {
  const nonces = new Map<string, NonceRecord>()
  const live = (record: NonceRecord) => now() - record.issuedAt < NONCE_LIFETIME_MS

  return {
    issue(clientId) {
      // Insertion order is issue order: the expired ones are at the front.
      for (const [nonce, record] of nonces) {
        if (live(record)) break
        nonces.delete(nonce)
      }
      const nonce = randomHex(20)
      nonces.set(nonce, { clientId, issuedAt: now() })
      return nonce
    },
    spend(nonce, clientId) {
      const record = nonces.get(nonce)
      if (!record || record.clientId !== clientId) return false
      nonces.delete(nonce)
      return live(record)
    },
  }
}
