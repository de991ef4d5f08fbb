import { Outlet } from 'react-router-dom'
import { useRestoreSession } from '../use-withings'

/**
 * A layout route around every route but the callback: pages under it find out, once, whether
 * this browser is already connected (a reload, a new tab). The callback starts its own exchange
 * instead, so restoring there would race it.
 */
export function WithingsSessionRoute() {
  useRestoreSession()
  return <Outlet />
}
