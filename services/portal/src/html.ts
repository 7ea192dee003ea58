/**
 * Server-side HTML with escaping by default: every interpolated value is escaped unless it is
 * already `Html` (the result of another `html` template). The pages need no script at all.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!)
}

type Value = Html | string | number | null | undefined | false | Value[]

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return ''
  if (Array.isArray(value)) return value.map(render).join('')
  if (value instanceof Html) return value.text
  return escapeHtml(String(value))
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!
  return new Html(out)
}

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1d2430;background:#f7f8fa}
header{background:#0f2a4a;color:#fff;padding:.8rem 1.5rem}header a{color:#fff;margin-right:1.2rem}
header strong{margin-right:2rem}main{max-width:70rem;margin:0 auto;padding:1rem 1.5rem}
table{border-collapse:collapse;width:100%;background:#fff;margin:.5rem 0 1.5rem}
th,td{border:1px solid #d6dbe3;padding:.35rem .6rem;text-align:left}th{background:#eef1f5}
td.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#5b6573}
.badge{padding:.1rem .5rem;border-radius:.6rem;font-size:.85rem}.in-force{background:#dcf3e3}.suspended{background:#fde6c8}
.blocked{background:#fde2e2;padding:.8rem;border-radius:.4rem}.free{background:#dcf3e3;padding:.8rem;border-radius:.4rem}
form.box{background:#fff;border:1px solid #d6dbe3;padding:1rem;border-radius:.4rem;max-width:40rem}
label{display:block;margin:.5rem 0 .2rem}input,textarea{width:100%;box-sizing:border-box;padding:.4rem;font:inherit}
button{margin-top:.8rem;padding:.4rem 1rem;font:inherit}.error{color:#a01515}
`

/** The page around a body: title, navigation, and the links to the same data as JSON and Atom. */
export function page(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Offside transparency</title>
<link rel="alternate" type="application/atom+xml" title="Orders and decisions" href="/feed.atom">
<link rel="alternate" type="application/json" title="Transparency report" href="/transparency.json">
<style>${new Html(STYLE)}</style>
</head>
<body>
<header><strong>Offside · public transparency</strong>
<nav><a href="/">Orders and counts</a><a href="/lookup">Is an address blocked?</a><a href="/transparency.json">JSON</a><a href="/feed.atom">Atom feed</a></nav>
</header>
<main>
${body}
</main>
</body>
</html>
`.text
}
