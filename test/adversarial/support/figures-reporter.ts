import type { Reporter, TestModule } from 'vitest/node'
import { FIGURE_NAMES, type Figures } from './figures'

const LABELS: Record<keyof Figures, string> = {
  inputs: 'inputs tried',
  faults: 'faults injected',
  crashes: 'crashes',
  leaks: 'leaks',
  sessionsLost: 'sessions lost',
}

/**
 * Adds up the figures the adversarial tests counted and prints them, when any ran, then one
 * line per attack with what it achieved.
 */
export default class FiguresReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const total: Figures = { inputs: 0, faults: 0, crashes: 0, leaks: 0, sessionsLost: 0 }
    const attacks: string[] = []
    let reporting = 0
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const { figures, attack } = test.meta()
        if (attack) {
          const measures = Object.entries(attack.figures).map(([name, value]) => `${name} ${value}`)
          attacks.push(`  ${attack.name}: ${measures.join(', ')}`)
        }
        if (!figures) continue
        reporting++
        for (const name of FIGURE_NAMES) total[name] += figures[name]
      }
    }
    if (reporting === 0) return
    const line = FIGURE_NAMES.map((name) => `${total[name]} ${LABELS[name]}`).join(', ')
    process.stdout.write(`\nadversarial figures (${reporting} tests): ${line}\n`)
    if (attacks.length > 0) process.stdout.write(`attacks:\n${attacks.join('\n')}\n`)
  }
}
