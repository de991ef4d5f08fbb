import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './builds'
import type { Figure } from './figures'
import type { HostRow } from './hosts'
import type { Machine } from './machine'

// What BENCHMARKS.md is written from: every item's last figures, kept in BENCHMARKS.json, so that
// a run of a few items (`npm run bench -- hosts callback`, what a busy shared machine allows)
// replaces those items' figures and keeps the others', each with the date and the machine's load
// of the run that measured it.

export const RESULTS_FILE = join(ROOT, 'BENCHMARKS.json')

/** When and where a figure was measured: the run's start, its CPU, and the load average then. */
export interface Measured {
  at: string
  cpu: string
  load: number
}

export interface Results {
  machine: Machine
  versions: Record<string, string>
  figures: (Figure & Measured & { item: string })[]
  hosts?: Measured & { rows: HostRow[] }
}

export function loadResults(file = RESULTS_FILE): Results | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Results) : undefined
}

/** The stored results with this run's items in place of theirs (the others' kept, in order). */
export function mergeResults(stored: Results | undefined, run: Results, items: string[]): Results {
  const kept = (stored?.figures ?? []).filter((figure) => !items.includes(figure.item))
  const figures = [...kept, ...run.figures].sort(
    (a, b) => Number.parseInt(a.id, 10) - Number.parseInt(b.id, 10) || a.id.localeCompare(b.id),
  )
  const hosts = items.includes('hosts') ? run.hosts : stored?.hosts
  return { machine: run.machine, versions: run.versions, figures, ...(hosts && { hosts }) }
}

export function saveResults(results: Results, file = RESULTS_FILE): void {
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`)
}
