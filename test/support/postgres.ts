import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from './free-port'

// A real Postgres for tests: Debian's `postgresql` (15 on bookworm), a fresh cluster in a
// temporary folder on a free loopback port, durability off (a test's data need not survive a
// power cut, nor, unless asked, a crash), stopped and removed at the end. Postgres refuses to run
// as root: as root, it runs as the `postgres` user.

/** Debian installs each major version in its own folder; the newest there, unless told. */
const BIN = process.env.POSTGRES_BIN ?? newestPostgres()

function newestPostgres(): string {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin/initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : []
  return join(root, versions[0] ?? '15', 'bin')
}
const run = promisify(execFile)
const running = new Set<{ child: ChildProcess; data: string }>()

process.once('exit', () => {
  for (const { data } of running) {
    try {
      process.kill(
        Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]),
        'SIGKILL',
      )
    } catch {
      // Already gone.
    }
  }
})

export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string
  port: number
  /** A new empty database on the server, for one test's own schema. */
  database(name: string): Promise<string>
  /** Kills the server at once (as a crash would), keeping its data. */
  kill(): Promise<void>
  /** Starts it again on the same port and data. */
  restart(): Promise<void>
  stop(): Promise<void>
}

export const hasPostgres = () => existsSync(join(BIN, 'initdb'))

/**
 * `durableCommits`: a commit answers once its WAL is written (Postgres' default), so that a
 * server killed (SIGKILL) keeps every commit it acknowledged; without it, as fast as possible.
 */
export async function startPostgres({
  durableCommits = false,
}: {
  durableCommits?: boolean
} = {}): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'wl-pg-'))
  const asRoot = userInfo().uid === 0
  if (asRoot) chownSync(dir, ...ids('postgres'))
  const data = join(dir, 'data')
  const as = (command: string, args: string[]): [string, string[]] =>
    asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(BIN, command), ...args]]
      : [join(BIN, command), args]
  await run(
    ...as('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']),
  )
  const port = await freePort()
  let child: ChildProcess | undefined
  const start = async () => {
    const [command, args] = as('postgres', [
      ...['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'],
      ...['-c', 'fsync=off', '-c', 'full_page_writes=off'],
      ...(durableCommits ? [] : ['-c', 'synchronous_commit=off']),
    ])
    child = spawn(command, args, { stdio: 'ignore' })
    running.add({ child, data })
    await ready(port, child)
  }
  // The server itself, by the pid it wrote (runuser forks: killing it would leave the server).
  const kill = async () => {
    if (!child || child.exitCode !== null) return
    const exited = new Promise((resolve) => child?.once('exit', resolve))
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0])
    process.kill(pid, 'SIGKILL')
    await exited
    for (const entry of running) if (entry.child === child) running.delete(entry)
  }
  await start()
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  return {
    url,
    port,
    async database(name) {
      const pg = (await import('pg')).default
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      await client.query(`create database "${name}"`)
      await client.end()
      return `postgres://postgres@127.0.0.1:${port}/${name}`
    },
    kill,
    async restart() {
      await kill()
      // A killed server's backends notice and leave; until then a new one refuses to start.
      for (let attempt = 1; ; attempt++) {
        try {
          return await start()
        } catch (error) {
          if (attempt === 20) throw error
          await new Promise((resolve) => setTimeout(resolve, 250))
        }
      }
    },
    async stop() {
      await kill()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function ids(user: string): [number, number] {
  const uid = Number(execFileSync('id', ['-u', user]).toString().trim())
  const gid = Number(execFileSync('id', ['-g', user]).toString().trim())
  return [uid, gid]
}

async function ready(port: number, server: ChildProcess) {
  const pg = (await import('pg')).default
  const deadline = Date.now() + 20_000
  for (;;) {
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      database: 'postgres',
    })
    client.on('error', () => {})
    try {
      await client.connect()
      await client.query('select 1')
      await client.end()
      return
    } catch (error) {
      await client.end().catch(() => {})
      if (Date.now() > deadline || server.exitCode !== null) throw error
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}
