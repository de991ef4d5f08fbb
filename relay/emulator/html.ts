import type { MiddlewareHandler } from 'hono'
import { html } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'

// The emulator's pages: plain server-rendered HTML, every interpolation escaped by hono/html,
// no script at all, readable on a phone. Withings' teal is darkened for the primary buttons:
// white on #007a86 is 5.1:1, past WCAG's 4.5:1 for text (1.4.3); #00a4b4 was 3:1. The page's
// background and text are the scheme's own (Canvas, CanvasText) said out loud, so that a checker
// such as axe-core reads them rather than assuming white under the tinted boxes.

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>

const STYLE = `
  :root { color-scheme: light dark; background: Canvas; color: CanvasText; font-family: system-ui, sans-serif; line-height: 1.5 }
  body { margin: 0 auto; max-width: 34rem; padding: 1.5rem 1rem }
  header p { margin: 0; font-size: .9rem; opacity: .75 }
  h1 { font-size: 1.5rem; margin: .5rem 0 1rem }
  .notice { border-left: 4px solid #d93025; padding: .5rem .75rem; background: rgba(217,48,37,.08) }
  .hint { border-left: 4px solid #888; padding: .5rem .75rem; background: rgba(128,128,128,.08) }
  label { display: block; margin: .75rem 0 .25rem; font-weight: 600 }
  input[type=email], input[type=password], input[type=number], select { width: 100%; box-sizing: border-box; padding: .6rem; font-size: 1rem }
  table { border-collapse: collapse; width: 100% } th, td { text-align: left; padding: .25rem .5rem .25rem 0; vertical-align: top }
  button { font-size: 1rem; padding: .6rem 1.4rem; margin: 1rem .5rem 0 0; cursor: pointer }
  button[value=accept], button.primary { background: #007a86; color: #fff; border: 0; border-radius: 4px }
  code { overflow-wrap: anywhere }
  dt { font-weight: 600 } dd { margin: 0 0 .75rem }
  ul.choices { list-style: none; padding: 0 } ul.choices button { min-width: 12rem }
`

export function page({ title, body }: { title: string; body: Html }): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>${title} · Withings emulator</title>
<style>${STYLE}</style>
</head>
<body>
<header><p>Withings emulator — a local stand-in for account.withings.com</p></header>
<main>
${body}
</main>
</body>
</html>`
}

/**
 * Headers for every page. The empty inline icon keeps browsers from asking for /favicon.ico,
 * which the CSP would block (Firefox reports that in the console). No `form-action` in the CSP: Chromium applies it to the redirect that
 * follows a form POST, and Accept/Deny must redirect to the partner's callback.
 */
export const pageHeaders: MiddlewareHandler = async function pageHeaders(c, next) {
  await next()
  c.header('Referrer-Policy', 'no-referrer')
  c.header('X-Frame-Options', 'DENY')
  c.header('X-Content-Type-Options', 'nosniff')
  c.header('Cache-Control', 'no-store')
  c.header(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'",
  )
}

export function hiddenFields(fields: readonly [string, string][]): Html {
  return html`${fields.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`)}`
}
