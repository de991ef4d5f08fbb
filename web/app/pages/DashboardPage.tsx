import { Dashboard } from '../dashboard/Dashboard'
import { SessionGate } from '../ui/SessionGate'

/** The person's measurements; the Connect form, coming back here, when nobody is connected. */
export default function DashboardPage() {
  return (
    <>
      <h1>Dashboard</h1>
      <SessionGate returnTo="/dashboard">{() => <Dashboard />}</SessionGate>
    </>
  )
}
