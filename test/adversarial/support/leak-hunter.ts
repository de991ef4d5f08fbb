import type { Figures } from './figures'

/**
 * Collects every text the outside world could see (responses, log lines, built files) and every
 * secret met along the way, then looks for each secret in each text. Most values are secret
 * everywhere (client secret, cookie keys, codes, both tokens); a few the page made or was given
 * itself (the state) may come back in answers, and count as leaks only in logs and files.
 */
export function createLeakHunter(figures: Figures) {
  const texts: { where: string; kind: 'response' | 'log' | 'file'; text: string }[] = []
  const secrets = new Map<string, { label: string; inResponses: boolean }>()

  return {
    secret(label: string, value: string | undefined, { inResponses = false } = {}) {
      if (value) secrets.set(value, { label, inResponses })
    },
    async response(where: string, response: Response): Promise<Response> {
      const body = await response.clone().text()
      const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`)
      texts.push({
        where,
        kind: 'response',
        text: `${response.status}\n${headers.join('\n')}\n\n${body}`,
      })
      return response
    },
    log(where: string, line: unknown) {
      texts.push({
        where,
        kind: 'log',
        text: typeof line === 'string' ? line : JSON.stringify(line),
      })
    },
    file(where: string, text: string) {
      texts.push({ where, kind: 'file', text })
    },
    /** Every (secret, place) pair found; each one is a leak. */
    hunt(): string[] {
      const found: string[] = []
      for (const { where, kind, text } of texts) {
        for (const [value, { label, inResponses }] of secrets) {
          if (kind === 'response' && inResponses) continue
          if (text.includes(value)) found.push(`${label} in ${kind} ${where}`)
        }
      }
      figures.leaks = found.length
      return found
    },
    get counts() {
      return { texts: texts.length, secrets: secrets.size }
    },
  }
}
