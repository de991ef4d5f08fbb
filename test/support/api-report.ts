import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  Extractor,
  ExtractorConfig,
  ExtractorLogLevel,
  type ExtractorMessage,
} from '@microsoft/api-extractor'

// The public surface of one entry of an installed package, as API Extractor reports it: every
// exported name with its signature, from the package's own declarations. A home-made list of
// names would miss a changed signature; API Extractor is the tool TypeScript libraries use for it.

export interface ApiReport {
  /** The report's text (docs/api/<entry>.api.md is the committed one). */
  text: string
  /** Types a signature names that the entry does not export. */
  forgotten: string[]
}

/**
 * `declarations`: the entry's .d.ts, relative to `packageDir` (as package.json `exports` says).
 * The package's folder, not an installed copy: API Extractor takes what is under node_modules for
 * other packages, and would report every name as an import.
 */
export function apiReport(packageDir: string, entry: string, declarations: string): ApiReport {
  const out = mkdtempSync(join(tmpdir(), 'wl-api-'))
  const file = join(packageDir, declarations)
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: packageDir,
      mainEntryPointFilePath: file,
      compiler: {
        // The options a TypeScript app of the package's own tests type-checks with.
        overrideTsconfig: {
          compilerOptions: {
            strict: true,
            target: 'es2023',
            module: 'esnext',
            moduleResolution: 'bundler',
            jsx: 'react-jsx',
            lib: ['es2023', 'dom', 'dom.iterable'],
            types: ['node'],
            skipLibCheck: true,
          },
          files: [file],
        },
      },
      newlineKind: 'lf',
      apiReport: { enabled: true, reportFolder: out, reportTempFolder: out, reportFileName: entry },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        extractorMessageReporting: {
          // The package marks no release stages (@public, @beta): everything exported is public.
          'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None, addToApiReportFile: false },
          // A type a signature names but the entry does not export: said in the report.
          'ae-forgotten-export': { logLevel: ExtractorLogLevel.None, addToApiReportFile: true },
        },
      },
    },
    configObjectFullPath: undefined,
    packageJsonFullPath: join(packageDir, 'package.json'),
  })
  const result = Extractor.invoke(config, {
    localBuild: true,
    // Nothing on the console: what it would say is in the report.
    messageCallback(message: ExtractorMessage) {
      message.handled = true
    },
  })
  if (result.errorCount > 0) throw new Error(`API Extractor failed on ${declarations}`)
  const text = readFileSync(join(out, `${entry}.api.md`), 'utf8')
  rmSync(out, { recursive: true, force: true })
  const forgotten = [...text.matchAll(/\(ae-forgotten-export\) The symbol "(\w+)"/g)]
  return { text, forgotten: [...new Set(forgotten.map((match) => match[1] ?? ''))] }
}

/** The names a report exports. */
export function exportedNames(report: string): string[] {
  return [...report.matchAll(/^export (?:declare )?(?:abstract )?\w+ (\w+)/gm)].map(
    (match) => match[1] ?? '',
  )
}
