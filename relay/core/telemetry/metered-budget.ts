import type { AppBudget } from '../limits/app-budget'
import type { RelayTelemetry } from './telemetry'

/** The app's Withings budget, its use counted by kind: calls taken, and calls it refused. */
export function meteredBudget(budget: AppBudget, telemetry: RelayTelemetry): AppBudget {
  const metered = <T>(kind: string, calls: number, taking: Promise<T>) =>
    taking.then(
      (taken) => {
        telemetry.budget(kind, 'taken', calls)
        return taken
      },
      (error: unknown) => {
        telemetry.budget(kind, 'refused', calls)
        throw error
      },
    )
  return {
    ...budget,
    take: (kind, calls = 1) => metered(kind, calls, budget.take(kind, calls)),
    takeExchange: (client, calls = 1) =>
      metered('exchange', calls, budget.takeExchange(client, calls)),
  }
}
