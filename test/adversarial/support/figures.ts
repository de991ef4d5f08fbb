import type { TaskMeta } from 'vitest'

// What the adversarial suite counts, test by test. Each test keeps its figures in its task's
// meta, which vitest hands to the reporters; figures-reporter.ts adds them up at the end.

export interface Figures {
  /** Distinct hostile inputs sent (requests, callback URLs, return paths). */
  inputs: number
  /** Upstream faults switched on at the emulator (or an unreachable Withings). */
  faults: number
  /** 5xx answers to inputs, thrown handlers, unhandled rejections, or a dead server. */
  crashes: number
  /** A secret, code or token found where it must never be. */
  leaks: number
  /** A valid session cookie cleared or broken by a passing fault. */
  sessionsLost: number
}

/** What one attack on the relay achieved, measure by measure, reported on a line of its own. */
export type AttackFigures = Record<string, number | string>

declare module 'vitest' {
  interface TaskMeta {
    figures?: Figures
    attack?: { name: string; figures: AttackFigures }
  }
}

/** Reports what an attack achieved (and so what it did not), with the test's figures. */
export function reportAttack(task: { meta: TaskMeta }, name: string, figures: AttackFigures) {
  task.meta.attack = { name, figures }
}

export const FIGURE_NAMES: readonly (keyof Figures)[] = [
  'inputs',
  'faults',
  'crashes',
  'leaks',
  'sessionsLost',
]

/** Fresh figures for the running test, reported with it. */
export function figuresFor(task: { meta: TaskMeta }): Figures {
  const figures: Figures = { inputs: 0, faults: 0, crashes: 0, leaks: 0, sessionsLost: 0 }
  task.meta.figures = figures
  return figures
}

/** Counts each distinct input once, however often a generator repeats it. */
export function distinctCounter(figures: Figures): (input: unknown) => void {
  const seen = new Set<string>()
  return (input) => {
    const key = JSON.stringify(input)
    if (seen.has(key)) return
    seen.add(key)
    figures.inputs = seen.size
  }
}
