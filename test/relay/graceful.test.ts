import { describe, expect, test, vi } from 'vitest'
import type { LogLine } from '../../relay/core/http/request-log'
import { drainGate, gracefulStop } from '../../relay/node/graceful'
import type { Listening } from '../../relay/node/listen'

// The drain itself, in-process: the bounded wait that the SIGTERM test cannot reach.

const request = () => new Request('http://localhost/api/healthz')
const server = (close: () => Promise<void> = async () => {}): Listening => ({
  url: 'http://127.0.0.1:1',
  port: 1,
  close,
})

function held() {
  let release: (response: Response) => void = () => {}
  const answer = new Promise<Response>((resolve) => {
    release = resolve
  })
  return { answer, release }
}

describe('drainGate', () => {
  test('lets the request under way finish, refuses newcomers with 503 shutting_down', async () => {
    const pending = held()
    const gate = drainGate(() => pending.answer)
    const underWay = gate.fetch(request(), undefined as never)
    const drained = gate.drain(5_000)

    const refused = await gate.fetch(request(), undefined as never)
    expect(refused.status).toBe(503)
    expect(refused.headers.get('connection')).toBe('close')
    expect(await refused.json()).toEqual({
      error: {
        code: 'shutting_down',
        message: expect.any(String),
        retryable: true,
        retry_after: 1,
      },
    })

    pending.release(new Response('done'))
    expect(await (await underWay).text()).toBe('done')
    expect((await underWay).headers.get('connection')).toBe('close')
    expect(await drained).toBe(true)
    expect(gate.refused).toBe(1)
  })

  test('gives up after the bounded wait when a request never ends', async () => {
    const gate = drainGate(() => held().answer)
    void gate.fetch(request(), undefined as never)
    expect(await gate.drain(20)).toBe(false)
    expect(gate.inFlight).toBe(1)
  })
})

describe('gracefulStop', () => {
  test('exit code 0 and a "stopped" line once drained and closed', async () => {
    const logs: LogLine[] = []
    const stop = gracefulStop({
      gate: drainGate(() => new Response('ok')),
      server: server(),
      graceMs: 1_000,
      log: (line) => logs.push(line),
    })
    expect(await stop('SIGTERM')).toBe(0)
    expect(logs.map((line) => line.msg)).toEqual(['shutting down', 'stopped'])
  })

  test('exit code 1 and a warning when the grace period runs out', async () => {
    const logs: LogLine[] = []
    const gate = drainGate(() => held().answer)
    void gate.fetch(request(), undefined as never)
    const stop = gracefulStop({
      gate,
      server: server(),
      graceMs: 20,
      log: (line) => logs.push(line),
    })
    expect(await stop('SIGTERM')).toBe(1)
    expect(logs.at(-1)).toMatchObject({
      level: 'warn',
      msg: 'stopped before every request finished',
      inFlight: 1,
    })
  })

  test('exit code 1 when the listener does not close within the grace period', async () => {
    const stop = gracefulStop({
      gate: drainGate(() => new Response('ok')),
      server: server(() => new Promise(() => {})),
      graceMs: 20,
      log: () => {},
    })
    expect(await stop('SIGTERM')).toBe(1)
  })

  test.each([
    [299, 0, 'stopped'],
    [301, 1, 'stopped before every request finished'],
  ])(
    'the listener gets what is left of the grace period (closing in %i ms of the 300 left): exit %i',
    async (closeMs, code, msg) => {
      vi.useFakeTimers()
      try {
        const logs: LogLine[] = []
        const elapse = (ms: number) => new Promise<void>((done) => setTimeout(done, ms))
        // A request under way that takes 700 ms of the 1,000 ms grace period, then a listener
        // that takes `closeMs` to close (connections streaming an answer).
        const gate = drainGate(() => elapse(700).then(() => new Response('ok')))
        void gate.fetch(request(), undefined as never)
        const stop = gracefulStop({
          gate,
          server: server(() => elapse(closeMs)),
          graceMs: 1_000,
          log: (line) => logs.push(line),
        })
        const exit = stop('SIGTERM')
        await vi.advanceTimersByTimeAsync(1_000)
        expect(await exit).toBe(code)
        expect(logs.at(-1)).toEqual({
          level: code === 0 ? 'info' : 'warn',
          msg,
          ms: code === 0 ? 999 : 1_000,
          inFlight: 0,
          refused: 0,
        })
      } finally {
        vi.useRealTimers()
      }
    },
  )
})
