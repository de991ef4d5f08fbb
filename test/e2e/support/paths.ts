import { fileURLToPath } from 'node:url'

export const SPA_DIR = fileURLToPath(new URL('../../.artifacts/dist', import.meta.url))
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../docs/screenshots', import.meta.url))
