/**
 * Runs `task` while holding the cross-tab refresh lock (Web Locks API), so only one tab refreshes
 * at a time. Where Web Locks are missing, tabs cannot coordinate: a short random pause gives a
 * faster tab's broadcast the chance to arrive first, and the relay collapses concurrent refreshes.
 */
export function withRefreshLock<T>(task: () => Promise<T>): Promise<T> {
  if (typeof navigator !== 'undefined' && navigator.locks) {
    return navigator.locks.request('withings-link:refresh', task)
  }
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 300)).then(task)
}
