import { existsSync } from 'node:fs'

/**
 * A browser's executable: the environment variable's path when set, else the first Debian path
 * that exists; the error says how to install it.
 */
export function executable(what: string, variable: string, paths: string[], install: string) {
  const found = [process.env[variable], ...paths].find((path) => path && existsSync(path))
  if (!found) throw new Error(`${what} not found: install it (${install}) or set ${variable}.`)
  return found
}
