// A small seeded PRNG (mulberry32 over an FNV-1a hash of the seed text): the same user and
// series always get the same numbers, on every machine, with no dependency.

export interface Prng {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number
  /** Uniform real in [min, max). */
  between(min: number, max: number): number
  /** Approximately normal (sum of uniforms), mean and standard deviation as given. */
  normal(mean: number, sd: number): number
  chance(probability: number): boolean
  pick<T>(items: readonly [T, ...T[]]): T
}

export function createPrng(seed: string): Prng {
  let state = hash(seed)
  const next = () => {
    state = (state + 0x6d2b79f5) | 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    between: (min, max) => min + next() * (max - min),
    normal: (mean, sd) => mean + sd * (next() + next() + next() + next() - 2) * Math.sqrt(3),
    chance: (probability) => next() < probability,
    pick: (items) => items[Math.floor(next() * items.length)] ?? items[0],
  }
}

function hash(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** 40 hex characters from a seed: how deviceids look in the reference. */
export function seededHex40(seed: string): string {
  const prng = createPrng(seed)
  let out = ''
  for (let i = 0; i < 40; i++) out += prng.int(0, 15).toString(16)
  return out
}
