import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

// What `npm start` keeps under DATA_DIR besides the database, so that a restart keeps people
// connected: the key that seals cookies and the vault when RELAY_SECRET is not set, and the local
// emulator's accounts, grants and subscriptions. Readable by this user only (0600 in a 0700
// folder): the key opens every session and every token in the vault.

function ownFolder(dataDir: string) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
}

/** The key kept in `<dataDir>/<name>`, made now (32 random bytes) when there is none. */
export function keptKey(dataDir: string, name: string): { key: string; made: boolean } {
  const file = join(dataDir, name)
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim()
    if (key.length >= 32) {
      chmodSync(file, 0o600)
      return { key, made: false }
    }
  }
  ownFolder(dataDir)
  const key = randomBytes(32).toString('base64url')
  writeFileSync(file, `${key}\n`, { mode: 0o600 })
  return { key, made: true }
}

/** A JSON file kept in `dataDir`: read once (undefined when missing or unreadable), written whole. */
export function keptJson<T>(dataDir: string, name: string) {
  const file = join(dataDir, name)
  return {
    file,
    read(): T | undefined {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as T
      } catch {
        return undefined
      }
    },
    /** Written beside, then renamed over: a crash mid-write leaves the last whole file. */
    write(value: T) {
      ownFolder(dataDir)
      const next = `${file}.next`
      writeFileSync(next, JSON.stringify(value), { mode: 0o600 })
      renameSync(next, file)
    },
  }
}
