// A Map whose entries expire, in bounded memory: the relay's one way of forgetting old entries
// (the memory store, the rate limits' buckets, the shared refreshes). Expiry is checked on every
// read, so a swept-late entry is never seen; sweeping itself pops a min-heap of expiry times, a few
// entries per write, so no call walks every key. An entry that is written again leaves its stale
// predecessor in the heap, skipped when popped; the heap is rebuilt when stale items outnumber
// live entries.
//
// A full map refuses new keys rather than forgetting live ones: forgetting a counter would hand
// its key a fresh allowance, forgetting a marker would undo what it marks. `keptKeys` of the room
// are kept for writes that say `kept`, so that what fills the rest cannot take them.

export interface ExpiringMap<V> {
  get(key: string): V | undefined
  /**
   * Stores `value` until `expiresAt` (exclusive); false, and nothing stored, when `key` is new and
   * the map has no room for it (`kept` writes may use the kept room).
   */
  set(key: string, value: V, expiresAt: number, options?: { kept?: boolean }): boolean
  /** Whether `set` would store every one of `keys` (an all-or-nothing write asks first). */
  fits(keys: readonly string[], options?: { kept?: boolean }): boolean
  delete(key: string): void
  clear(): void
  /** Live and not yet swept entries. */
  readonly size: number
}

interface Entry<V> {
  key: string
  value: V
  expiresAt: number
}

const SWEEP_PER_WRITE = 64

export function createExpiringMap<V>(options: {
  now: () => number
  maxKeys: number
  /** Of `maxKeys`, the room only `kept` writes may use (default none). */
  keptKeys?: number
}): ExpiringMap<V> {
  const { now, maxKeys, keptKeys = 0 } = options
  const entries = new Map<string, Entry<V>>()
  const heap: Entry<V>[] = []

  function sweep(at: number, limit: number): void {
    for (let swept = 0; swept < limit; swept++) {
      const top = heap[0]
      if (!top || top.expiresAt > at) return
      popTop()
      if (entries.get(top.key) === top) entries.delete(top.key)
    }
  }

  function popTop(): void {
    const last = heap.pop()
    if (last && heap.length > 0) {
      heap[0] = last
      siftDown(0)
    }
  }

  function push(entry: Entry<V>): void {
    heap.push(entry)
    let child = heap.length - 1
    while (child > 0) {
      const parent = (child - 1) >> 1
      if (!swapIfEarlier(child, parent)) return
      child = parent
    }
  }

  function siftDown(start: number): void {
    let parent = start
    for (;;) {
      const left = 2 * parent + 1
      const right = left + 1
      const earlier = right < heap.length && expiry(right) < expiry(left) ? right : left
      if (earlier >= heap.length || !swapIfEarlier(earlier, parent)) return
      parent = earlier
    }
  }

  function expiry(index: number): number {
    return heap[index]?.expiresAt ?? Number.POSITIVE_INFINITY
  }

  /** Swaps the items at `a` and `b` when `a` expires before `b`. */
  function swapIfEarlier(a: number, b: number): boolean {
    const entryA = heap[a]
    const entryB = heap[b]
    if (!entryA || !entryB || entryA.expiresAt >= entryB.expiresAt) return false
    heap[a] = entryB
    heap[b] = entryA
    return true
  }

  function rebuildHeap(): void {
    heap.length = 0
    for (const entry of entries.values()) heap.push(entry)
    // A sorted array is a valid min-heap.
    heap.sort((a, b) => a.expiresAt - b.expiresAt)
  }

  /** Whether `added` new keys fit, sweeping every expired entry first when they seem not to. */
  function room(added: number, kept: boolean): boolean {
    const cap = kept ? maxKeys : maxKeys - keptKeys
    if (entries.size + added <= cap) return true
    sweep(now(), Number.POSITIVE_INFINITY)
    return entries.size + added <= cap
  }

  return {
    get size() {
      return entries.size
    },
    get(key) {
      const entry = entries.get(key)
      if (!entry) return undefined
      if (entry.expiresAt > now()) return entry.value
      entries.delete(key)
      return undefined
    },
    fits(keys, { kept = false } = {}) {
      return room(keys.filter((key) => !entries.has(key)).length, kept)
    },
    set(key, value, expiresAt, { kept = false } = {}) {
      sweep(now(), SWEEP_PER_WRITE)
      if (!entries.has(key) && !room(1, kept)) return false
      const entry = { key, value, expiresAt }
      entries.set(key, entry)
      push(entry)
      if (heap.length > 2 * entries.size + SWEEP_PER_WRITE) rebuildHeap()
      return true
    },
    delete(key) {
      // Its heap item goes stale, skipped when popped.
      entries.delete(key)
    },
    clear() {
      entries.clear()
      heap.length = 0
    },
  }
}
