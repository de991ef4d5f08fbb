import { getRequestListener } from '@hono/node-server'
import { isRunnableDevEnvironment, type Plugin } from 'vite'
import type { RelayConfig } from '../core/config'
import { RelayError } from '../core/errors'
import { lateHandler } from '../node/listen'
import { type NodeWiring, nodeWiring } from '../node/node-relay'

type RelayModule = typeof import('../core/create-relay')
type Relay = ReturnType<RelayModule['createRelay']>

/**
 * The relay inside Vite's dev server, at /api on the page's own origin as in production. Its
 * code runs through Vite's module runner, which drops the modules of a file you edit: the next
 * request then builds a new relay from the fresh code, on the same Node wiring as `npm start`'s
 * (withings-link/node), made once. Whatever was created outside (the emulator, the cookie key,
 * the connections and the shared store) lives on, so codes, tokens and sessions survive the
 * restart.
 */
export function hotRelay(entry = '/relay/core/create-relay.ts') {
  const late = lateHandler()
  let serve: ((config: RelayConfig, wiring: NodeWiring) => void) | undefined

  const plugin: Plugin = {
    name: 'withings-link:hot-relay',
    apply: 'serve',
    configureServer(server) {
      const ssr = server.environments.ssr
      if (!ssr || !isRunnableDevEnvironment(ssr)) {
        throw new Error('The relay needs Vite’s runnable SSR environment.')
      }
      const logger = server.config.logger

      serve = (config, wiring) => {
        let current: { module: RelayModule; relay: Relay; ended: AbortController } | undefined
        late.serve(async (request, env) => {
          let module: RelayModule
          try {
            module = await ssr.runner.import<RelayModule>(entry)
          } catch (error) {
            logger.error(`The relay's code does not load: ${String(error)}`, { timestamp: true })
            const failure = new RelayError(
              'internal_error',
              "The relay's code does not load: see the terminal.",
            )
            return Response.json(failure.toBody(), { status: failure.status })
          }
          if (module !== current?.module) {
            if (current) logger.info('relay restarted with the new code', { timestamp: true })
            // The old relay's live streams end, so that their pages reconnect to the new one.
            current?.ended.abort()
            const ended = new AbortController()
            const shutdown = AbortSignal.any([ended.signal, ...optional(wiring.deps.shutdown)])
            const relay = module.createRelay(config, { ...wiring.deps, shutdown })
            current = { module, relay, ended }
          }
          // Node's bindings travel along, so rate limits count by the connection's address.
          return current.relay.fetch(request, env)
        })
      }

      const listener = getRequestListener(late.fetch)
      // Registered before Vite's own middlewares, so /api never falls through to the SPA's HTML.
      server.middlewares.use((req, res, next) => {
        if (/^\/api(\/|\?|$)/.test(req.url ?? '')) void listener(req, res)
        else next()
      })
    },
  }

  return {
    plugin,
    /** Serves /api from now on; until then it answers 503 "Starting…". */
    async start(config: RelayConfig) {
      if (!serve) throw new Error('The hot relay starts once its plugin is in a dev server.')
      serve(config, await nodeWiring(config))
    },
  }
}

const optional = <T>(value: T | undefined): T[] => (value === undefined ? [] : [value])
