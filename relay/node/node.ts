// withings-link/node: the relay as Node runs it best (createNodeRelay: kept-alive connections to
// Withings, the cookie seal on node:crypto, the connection's address, Redis when REDIS_URL is
// set), and a listener that shuts down gracefully (listen, drainGate, gracefulStop).

export { type DrainGate, drainGate, type GracefulStopOptions, gracefulStop } from './graceful'
export { type FetchHandler, type Listening, listen } from './listen'
export { createNodeRelay, type NodeRelay, type NodeWiring } from './node-relay'
export { nodeRawConnection } from './raw-connection'
