import { createServer, type Server } from 'node:http'

/**
 * The page a subscriber sees when the resolver sends a blocked name to the landing address:
 * HTTP 451 Unavailable For Legal Reasons (RFC 7725), naming the authority, the order and how to
 * complain. Configured in the agent's config file as `"landingPage": {…}`.
 */
export interface LandingPageOptions {
  /** Who ordered the block, e.g. "AGCOM — Autorità per le Garanzie nelle Comunicazioni". */
  authority: string
  /** The order's reference, e.g. "order 123/26/DDA". */
  reference: string
  /** Where anyone can file a complaint, free of charge (the public complaint form). */
  complainUrl: string
  /** The public look-up; the page links it with `?target=<the blocked name>`. */
  lookupUrl?: string
  /** RFC 7725's `Link: <…>; rel="blocked-by"`: the entity that implements the block (the ISP). */
  blockedBy: string
  /** Where the page listens, e.g. `0.0.0.0:80` (default 127.0.0.1:8451). */
  listen?: string
}

export class LandingPageConfigError extends Error {
  override name = 'LandingPageConfigError'
}

const html = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )

/** A Host header as a name to look up: a plausible DNS name or nothing (never echoed raw). */
function blockedName(host: string | undefined): string | undefined {
  const name = host?.replace(/:\d+$/, '').toLowerCase()
  return name && /^[a-z0-9.-]{1,253}$/.test(name) ? name : undefined
}

/** Reads the `"landingPage"` section of the config file; throws naming the setting at fault. */
export function landingPageOptions(section: unknown): LandingPageOptions {
  if (typeof section !== 'object' || section === null || Array.isArray(section))
    throw new LandingPageConfigError('landingPage must be an object')
  const s = section as Record<string, unknown>
  const known = ['authority', 'reference', 'complainUrl', 'lookupUrl', 'blockedBy', 'listen']
  for (const key of Object.keys(s)) {
    if (!known.includes(key)) throw new LandingPageConfigError(`landingPage.${key} is not a setting`)
    if (typeof s[key] !== 'string' || s[key] === '')
      throw new LandingPageConfigError(`landingPage.${key} must be a non-empty string`)
  }
  for (const key of ['authority', 'reference', 'complainUrl', 'blockedBy']) {
    if (s[key] === undefined) throw new LandingPageConfigError(`landingPage.${key} is required`)
  }
  for (const key of ['complainUrl', 'lookupUrl', 'blockedBy']) {
    if (s[key] !== undefined && !/^https?:\/\//.test(s[key] as string))
      throw new LandingPageConfigError(`landingPage.${key} must be an http(s) URL`)
  }
  return s as unknown as LandingPageOptions
}

/**
 * Every request, whatever its path or method, gets the same 451 page. Nothing about the request
 * is logged or kept — not the subscriber's address, not the name they tried (SPEC rule 11); the
 * Host header only fills the look-up link of the answer.
 */
export function createLandingPage(options: LandingPageOptions): Server {
  const server = createServer((req, res) => {
    const name = blockedName(req.headers.host)
    const lookup =
      options.lookupUrl && name
        ? `${options.lookupUrl}?target=${encodeURIComponent(name)}`
        : options.lookupUrl
    const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>451 Unavailable For Legal Reasons</title></head>
<body>
<h1>Unavailable for legal reasons</h1>
<p>${name ? `<strong>${html(name)}</strong> is` : 'This site is'} blocked during live events by order of
<strong>${html(options.authority)}</strong> (${html(options.reference)}).</p>
${lookup ? `<p>Which order, and until when: <a href="${html(lookup)}">${html(lookup)}</a></p>\n` : ''}<p>If this blocks a lawful service, complain free of charge at
<a href="${html(options.complainUrl)}">${html(options.complainUrl)}</a>.</p>
</body></html>
`
    res.writeHead(451, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      link: `<${options.blockedBy}>; rel="blocked-by"`,
      'cache-control': 'no-store',
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  })
  // A client error (bad request line) is answered and forgotten, never logged.
  server.on('clientError', (_err, socket) => socket.destroy())
  return server
}

/** `host:port` of `listen` (default 127.0.0.1:8451). */
export function landingPageAddress(options: LandingPageOptions): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(options.listen ?? '127.0.0.1:8451')
  if (!match) throw new LandingPageConfigError(`landingPage.listen must be host:port, got ${options.listen}`)
  return { host: match[1]!, port: Number(match[2]) }
}
