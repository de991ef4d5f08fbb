import { compared, type Figure } from './figures'
import { SPA_BUDGETS, type SpaSizes } from './spa-size'

// Item 4: the SPA's first load and the auth client's share, from the production build that the
// browser benchmark then serves (measured by spa-build.ts). Sizes are deterministic: the same
// budgets are enforced by test/quality/spa-budget.test.ts.

/** oauth4webapi's authorization-code flow, minified and gzipped (quoted, not measured here). */
const OAUTH4WEBAPI_KB = 6.3

const kB = (bytes: number) => bytes / 1000

export function spaFigures(sizes: SpaSizes): Figure[] {
  return [
    compared({
      id: '4a',
      name: 'SPA first-load JavaScript (gzip -9)',
      unit: 'kB',
      value: kB(sizes.firstLoad.bytes),
      reference: {
        name: 'React 19 + react-router alone, built here',
        value: kB(sizes.reactRouter.bytes),
      },
      target: `≤ ${kB(SPA_BUDGETS.firstLoadBytes)} kB`,
      met: sizes.firstLoad.bytes <= SPA_BUDGETS.firstLoadBytes,
      method: `${sizes.firstLoad.files.length} file(s): the entry chunk and its static imports; lazy routes not counted`,
    }),
    compared({
      id: '4b',
      name: 'Auth client share (web/react/auth/*, gzip -9)',
      unit: 'kB',
      value: kB(sizes.authClient.bytes),
      reference: { name: 'oauth4webapi code flow, quoted', value: OAUTH4WEBAPI_KB },
      target: `≤ ${kB(SPA_BUDGETS.authClientBytes)} kB`,
      met: sizes.authClient.bytes <= SPA_BUDGETS.authClientBytes,
      method: `${sizes.authClient.modules.length} modules in a chunk of their own; the words they show a person (web/react/copy/*: error sentences, the scope table) are ${kB(sizes.copy.bytes).toFixed(2)} kB more`,
    }),
  ]
}
