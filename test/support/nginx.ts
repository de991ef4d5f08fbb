import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './free-port'

// The deploy recipe deploy/nginx.conf, run for real: Debian's nginx (NGINX_PATH, else
// /usr/sbin/nginx) on a free loopback port, everything it writes (pid, logs, temp files) in a
// temporary directory, so it needs no root. The recipe is included as it is shipped, but for the
// lines a test machine cannot have: TLS on 443 becomes plain http on the free port, and the
// paths, the relay's address and the proxy secret become the test's.

const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx'
const RECIPE = new URL('../../deploy/nginx.conf', import.meta.url)
const STARTS = 5
const READY_TIMEOUT_MS = 10_000

export interface RecipeNginx {
  /** http://127.0.0.1:port */
  url: string
  /** The recipe's access log (its `access_log` replaces the http-level one). */
  accessLog(): string
  /** The http-level access log in nginx's default format, which the recipe must leave unused. */
  defaultAccessLog(): string
  errorLog(): string
  stop(): Promise<void>
}

export interface RecipeOptions {
  /** The relay nginx forwards /api/ to, e.g. http://127.0.0.1:4123 */
  relayUrl: string
  /** The SPA's files. */
  root: string
  /** TRUSTED_PROXY_SECRET of the relay. */
  proxySecret: string
  /** The port to listen on (one freePort() gave, when the site's URL had to be known first). */
  port?: number
}

const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

export async function startRecipeNginx(options: RecipeOptions): Promise<RecipeNginx> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort())
    const dir = mkdtempSync(join(tmpdir(), 'wl-nginx-'))
    try {
      const child = await serve(dir, port, options)
      const read = (name: string) => readFileSync(join(dir, name), 'utf8')
      return {
        url: `http://127.0.0.1:${port}`,
        accessLog: () => read('withings-link.access.log'),
        defaultAccessLog: () => read('access.log'),
        errorLog: () => read('error.log'),
        async stop() {
          await kill(child)
          rmSync(dir, { recursive: true, force: true })
        },
      }
    } catch (error) {
      rmSync(dir, { recursive: true, force: true })
      // Another process may have taken the port between freePort() and nginx's bind.
      if (attempt === STARTS || options.port !== undefined) throw error
    }
  }
}

/** The recipe with the test machine's port, paths, relay and secret; the rest as shipped. */
function recipeFor(dir: string, port: number, { relayUrl, root, proxySecret }: RecipeOptions) {
  let text = readFileSync(RECIPE, 'utf8')
  const swap = (from: string | RegExp, to: string) => {
    const next = text.replaceAll(from, to)
    if (next === text) throw new Error(`deploy/nginx.conf no longer holds ${from}`)
    text = next
  }
  swap('listen 443 ssl;', `listen 127.0.0.1:${port};`)
  swap(/^\s*ssl_certificate(_key)? .*\n/gm, '')
  swap('root /opt/withings-link/dist;', `root ${root};`)
  swap('http://127.0.0.1:3000', relayUrl)
  swap('/var/log/nginx/', `${dir}/`)
  swap('replace-with-openssl-rand-hex-16', proxySecret)
  return text
}

async function serve(dir: string, port: number, options: RecipeOptions): Promise<ChildProcess> {
  writeFileSync(join(dir, 'withings-link.conf'), recipeFor(dir, port, options))
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      // As root (a CI container), nginx would hand its worker to `nobody`, who cannot read the
      // test's private temporary directories.
      ...(process.getuid?.() === 0 ? ['user root;'] : []),
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log;`,
      'events { worker_connections 64; }',
      'http {',
      '  include /etc/nginx/mime.types;',
      '  default_type application/octet-stream;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (kind) => `  ${kind}_temp_path ${dir}/${kind};`,
      ),
      // Debian's http-level default: the combined format, request line and query included.
      `  access_log ${dir}/access.log;`,
      `  include ${dir}/withings-link.conf;`,
      '}',
      '',
    ].join('\n'),
  )
  writeFileSync(join(dir, 'access.log'), '')
  const child = spawn(
    NGINX,
    ['-p', `${dir}/`, '-c', `${dir}/nginx.conf`, '-e', `${dir}/error.log`],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  running.add(child)
  let output = ''
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk) => {
      output += chunk
    })
  }
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (!(await answers(port))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await kill(child)
      throw new Error(`nginx did not start on port ${port}: ${output.trim()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return child
}

async function answers(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/__ready`, { method: 'HEAD' })
    return response.headers.get('server')?.startsWith('nginx') ?? false
  } catch {
    return false
  }
}

async function kill(child: ChildProcess) {
  running.delete(child)
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  await exited
}
