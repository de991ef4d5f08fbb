import { build } from 'vite'
import { SPA_DIR } from './paths'

/** Builds the SPA once for the whole browser suite: the tests serve what users get. */
export default async function buildSpaOnce() {
  await build({ logLevel: 'warn', build: { outDir: SPA_DIR, emptyOutDir: true } })
}
