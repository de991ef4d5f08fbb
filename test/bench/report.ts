import { type Figure, format } from './figures'
import { type HostRow, hostsTable } from './hosts'
import type { Machine } from './machine'

// The figures as a table for the terminal and as BENCHMARKS.md.

export interface Run {
  figures: Figure[]
  /** Item 9: the relay on each runtime. */
  hosts: HostRow[]
  machine: Machine
  versions: Record<string, string>
  startedAt: Date
  seconds: number
  load: { before: number; after: number }
}

const valueText = (figure: Figure) => format(figure.value, figure.unit)
const referenceText = (figure: Figure) =>
  figure.reference
    ? `${format(figure.reference.value, figure.unit)} (${figure.reference.name})`
    : '—'
const ratioText = (figure: Figure) =>
  figure.ratio === undefined ? '—' : `${figure.ratio.toFixed(3)}×`
const differenceText = (figure: Figure) =>
  figure.difference === undefined
    ? '—'
    : format(figure.difference, figure.differenceUnit ?? figure.unit, { signed: true })

const COLUMNS = [
  '#',
  'measure',
  'withings-link',
  'reference',
  'ratio',
  'difference',
  'target',
  'met',
]
const row = (figure: Figure) => [
  figure.id,
  figure.name,
  valueText(figure),
  referenceText(figure),
  ratioText(figure),
  differenceText(figure),
  figure.target,
  figure.met ? 'yes' : 'NO',
]

export function terminalTable(figures: Figure[]): string {
  return plainTable([COLUMNS, ...figures.map(row)])
}

/** Rows of cells (the first the header) in aligned columns, for the terminal. */
export function plainTable(rows: readonly string[][]): string {
  const widths = (rows[0] ?? []).map((_, column) =>
    Math.max(...rows.map((cells) => (cells[column] ?? '').length)),
  )
  return rows
    .map((cells) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '))
    .join('\n')
}

/** Rows of cells (the first the header) as a Markdown table. */
function markdownTable([header = [], ...rows]: readonly string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
  ].join('\n')
}

export function markdown(run: Run): string {
  const { machine, versions } = run
  const table = markdownTable([COLUMNS, ...run.figures.map(row)])
  const missed = run.figures.filter((figure) => !figure.met)
  return `# Benchmarks

Produced by \`npm run bench\` (test/bench/run.ts) on ${run.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, in ${Math.round(run.seconds)} s. Every figure is measured against its reference in the same run, on loopback, with bounded loads; the reference and the relay take turns (interleaved samples or alternating rounds) so that drift in the machine's load hits both. Medians throughout.

The machine was shared with other engineers' test runs: its one-minute load average was ${run.load.before.toFixed(2)} when the run started and ${run.load.after.toFixed(2)} when it ended. Ratios are steadier than absolute figures under such load.

## Machine

| | |
|---|---|
| CPU | ${machine.cpu} |
| cores | ${machine.cores} |
| memory | ${machine.memory} |
| OS | ${machine.os} |
| Node | ${machine.node} |

## Versions

| | |
|---|---|
${Object.entries(versions)
  .map(([name, version]) => `| ${name} | ${version} |`)
  .join('\n')}

## Figures

${table}

${missed.length === 0 ? 'Every target was met.' : `Targets missed: ${missed.map((figure) => figure.id).join(', ')}.`}

${
  run.hosts.length === 0
    ? ''
    : `## The relay on each runtime (item 9)

${markdownTable(hostsTable(run.hosts))}

Each runtime serves what production runs on it (\`npm start\`'s bundle on every Node, deploy/'s recipes on Bun, Deno and workerd), against the same emulator, each beside the bare pass-through proxy served by the same runtime; see test/bench/hosts.ts.

`
}## How each figure was measured

${run.figures.map((figure) => `- **${figure.id}** ${figure.name}: ${figure.method}.`).join('\n')}

**Item 4, precisely.** First load is the production build's entry chunk (the script index.html
loads) and every chunk it imports statically, each gzipped on its own at level 9, summed; lazily
loaded route chunks and CSS are not counted. The auth client's share comes from a
measurement-only build that puts the modules of web/react/auth/ in a chunk of their own (rolldown
\`codeSplitting\` groups, without their dependencies), and the words the app shows a person
(web/react/copy/: the sentence for every error code, the scope table), which OAuth libraries such as
oauth4webapi do not ship, in another. The share is gzip -9 of the web/react/auth/ chunk, the few import
and export lines of a chunk boundary included. 1 kB = 1000 bytes.

Details of each item are in the comment at the top of its file under test/bench/: exchange.ts (1),
throughput.ts (2), startup.ts (3), spa-build.ts (4: how first load and the auth client's share
are defined), callback.ts (5), memory.ts (6), reload.ts (7), live.ts (8). The SPA budgets of
item 4 are also enforced by
\`npm test\` (test/quality/spa-budget.test.ts).
`
}
