import { afterAll, beforeAll } from 'vitest'

/**
 * Every uncaught exception and unhandled rejection while the calling file's tests run: a test
 * that says "nothing crashes" expects it to stay empty.
 */
export function collectUncaught(): unknown[] {
  const uncaught: unknown[] = []
  const collect = (error: unknown) => uncaught.push(error)
  beforeAll(() => {
    process.on('uncaughtException', collect)
    process.on('unhandledRejection', collect)
  })
  afterAll(() => {
    process.off('uncaughtException', collect)
    process.off('unhandledRejection', collect)
  })
  return uncaught
}
