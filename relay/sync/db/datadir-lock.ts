import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
} from 'node:fs'
import { hostname } from 'node:os'
import { dirname } from 'node:path'

// PGlite does not lock its data folder: a second process opening it writes over the first and
// data is silently lost (seen here with two processes on one folder). So the folder has a lock
// file beside it, `<pid>@<host>`, touched every 10 s. A lock is stale when its process is gone
// (same host: gone, or a zombie nobody reaped), or when it has not been touched for 30 s (another
// host or container, where a pid says nothing).

const TOUCH_MS = 10_000
const STALE_MS = 30_000
/** Lock files this process holds: its own pid in one of them is not a stale lock. */
const held = new Set<string>()

export class DataDirInUse extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: string,
  ) {
    super(
      `The database folder ${dataDir} is in use by another process (${holder}). One process may use a DATA_DIR; several instances need a Postgres server (DATABASE_URL).`,
    )
    this.name = 'DataDirInUse'
  }
}

/** Takes the folder's lock or throws DataDirInUse; the answer releases it. */
export function lockDataDir(dataDir: string): () => void {
  const file = `${dataDir.replace(/\/+$/, '')}.lock`
  mkdirSync(dirname(file), { recursive: true })
  const me = `${process.pid}@${hostname()}`
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, me)
      closeSync(fd)
      held.add(file)
      const touch = setInterval(() => {
        try {
          const now = new Date()
          utimesSync(file, now, now)
        } catch {
          // Removed under us: the next start finds no lock, which is what it would find anyway.
        }
      }, TOUCH_MS)
      touch.unref()
      return () => {
        clearInterval(touch)
        held.delete(file)
        try {
          if (readFileSync(file, 'utf8') === me) rmSync(file)
        } catch {
          // Already gone.
        }
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const holder = readHolder(file)
      if (holder && (held.has(file) || isAlive(holder, file))) {
        throw new DataDirInUse(dataDir, holder)
      }
      rmSync(file, { force: true })
    }
  }
  throw new DataDirInUse(dataDir, 'unknown')
}

function readHolder(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

function isAlive(holder: string, file: string): boolean {
  const [pid, host] = holder.split('@')
  if (host !== hostname()) {
    try {
      return Date.now() - statSync(file).mtimeMs < STALE_MS
    } catch {
      return false
    }
  }
  // A container restarted under the same host name may give this very process the pid of the
  // one that died holding the lock.
  if (Number(pid) === process.pid) return false
  try {
    process.kill(Number(pid), 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  return !isZombie(Number(pid))
}

/** A killed process nobody has reaped yet (no init in a container) still answers signal 0. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return false
  }
}
