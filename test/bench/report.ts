import { type Figure, format } from './figures'
import { hostsTable } from './hosts'
import type { Measured, Results } from './results'

// The figures as a table for the terminal and as BENCHMARKS.md.

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

const when = ({ at, cpu, load }: Measured) =>
  `${at.slice(0, 16).replace('T', ' ')} UTC on ${cpu}, load ${load.toFixed(2)}`

export function markdown(results: Results): string {
  const { machine, versions, figures, hosts } = results
  const table = markdownTable([COLUMNS, ...figures.map(row)])
  const missed = figures.filter((figure) => !figure.met)
  const runs = [...new Set([...figures, ...(hosts ? [hosts] : [])].map(when))].sort()
  return `# Benchmarks

Produced by \`npm run bench\` (test/bench/run.ts), whose runs keep each item's last figures in BENCHMARKS.json: these come from the runs of ${runs.join('; ')} (with the one-minute load average when each began; the machine below is the latest run's). Every figure is measured against its reference in the same run, on loopback, with bounded loads; the reference and the relay take turns (interleaved samples or alternating rounds) so that drift in the machine's load hits both. Medians throughout.

The machine is shared with other engineers' test runs, hence the load. Ratios are steadier than absolute figures under it.

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

${missed.length === 0 ? 'Every target was met.' : `Targets missed: ${missed.map((figure) => figure.id).join(', ')}; [docs/performance.md](docs/performance.md) says why for each.`}

${
  hosts === undefined
    ? ''
    : `## The relay on each runtime (item 9)

${markdownTable(hostsTable(hosts.rows))}

Measured ${when(hosts)}. Each runtime serves what production runs on it (\`npm start\`'s bundle on every Node, deploy/'s recipes on Bun, Deno and workerd), against the same emulator, each beside the bare pass-through proxy served by the same runtime; see test/bench/hosts.ts.

`
}## How each figure was measured

${figures.map((figure) => `- **${figure.id}** ${figure.name}: ${figure.method} (measured ${when(figure)}).`).join('\n')}

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
are defined), callback.ts (5), memory.ts (6), reload.ts (7), live.ts (8), hosts.ts (9). The SPA budgets of
item 4 are also enforced by
\`npm test\` (test/quality/spa-budget.test.ts).
`
}
