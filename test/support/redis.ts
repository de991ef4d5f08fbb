import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createConnection } from 'node:net'
import { freePort } from './free-port'

// A real Redis for tests: Debian's redis-server on a free loopback port, nothing saved to disk,
// ready once it answers (INFO rather than PING, to be sure the answer is its own).

export interface TestRedis {
  url: string
  port: number
  /** Kills the server (as a crash would: no goodbye to clients). */
  stop(): Promise<void>
  /** Starts it again, empty, on the same port. */
  restart(): Promise<void>
  /** Freezes the server (SIGSTOP): connections stay open and nothing is answered. */
  pause(): void
  /** Lets a paused server go on (SIGCONT), answering what it was sent meanwhile. */
  resume(): void
}

const STARTS = 5
const READY_TIMEOUT_MS = 10_000
const running = new Set<ChildProcess>()

// The net under every test file's afterAll: no redis-server outlives the test process.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

export async function startRedis(): Promise<TestRedis> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    try {
      let child = await serve(port)
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        stop: () => kill(child),
        async restart() {
          await kill(child)
          child = await serve(port)
        },
        pause: () => child.kill('SIGSTOP'),
        resume: () => child.kill('SIGCONT'),
      }
    } catch (error) {
      // Another process may have taken the port between freePort() and redis-server's bind.
      if (attempt === STARTS) throw error
    }
  }
}

async function serve(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  running.add(child)
  let output = ''
  child.stdout?.on('data', (chunk) => {
    output += chunk
  })
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (!(await isServedBy(child, port))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await kill(child)
      throw new Error(`redis-server on port ${port} never answered:\n${output}`)
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20))])
  }
  return child
}

async function kill(child: ChildProcess): Promise<void> {
  running.delete(child)
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGKILL')
  await exited
}

/** Whether `child` answers on `port` (INFO names its process: not another server that won the port). */
function isServedBy(child: ChildProcess, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    let reply = ''
    const done = (answered: boolean) => {
      socket.destroy()
      resolve(answered)
    }
    socket.setTimeout(1_000, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('INFO server\r\n'))
    socket.on('data', (chunk) => {
      reply += chunk
      if (reply.startsWith('-')) return done(false)
      const pid = /\r\nprocess_id:(\d+)\r\n/.exec(reply)?.[1]
      if (pid) done(Number(pid) === child.pid)
    })
  })
}
