// Loads the demo's data through the HTTP API, the way real actors would: organisations and
// tokens, the Serie A calendar with a match going live within a minute, an order, and this week's
// list (documentation ranges, plus 188.114.97.7, which the guard holds as Cloudflare's).
import { createHash } from 'node:crypto'

type Json = Record<string, unknown>

async function call(
  apiUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  options: { existingIsFine?: boolean } = {},
): Promise<Json> {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  if (response.status === 409 && options.existingIsFine) return {}
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`)
  return text ? (JSON.parse(text) as Json) : {}
}

/** The season key ("2026-27") of an instant: seasons start on 1 July (SPEC rule 1). */
function seasonKey(instant: number): string {
  const date = new Date(instant)
  const start = date.getUTCMonth() >= 6 ? date.getUTCFullYear() : date.getUTCFullYear() - 1
  return `${start}-${String((start + 1) % 100).padStart(2, '0')}`
}

const time = (instant: number) => new Date(instant).toLocaleTimeString('en-GB', { timeZone: 'Europe/Rome' })

/**
 * Creates the demo's actors and data through the API at `apiUrl` with the bootstrap token, and
 * returns the tokens to put in .offside/demo.env plus summary lines to print.
 */
export async function loadDemoData(
  apiUrl: string,
  adminToken: string,
): Promise<{ env: Record<string, string>; summary: string[] }> {
  const admin = (method: string, path: string, body?: unknown) => call(apiUrl, adminToken, method, path, body)
  const orgs = [
    { id: 'sky-it', kind: 'rightsholder', name: 'Sky Italia' },
    { id: 'isp-demo', kind: 'isp', name: 'Demo ISP' },
    { id: 'ops-taskforce', kind: 'ops', name: 'Operations task force' },
  ]
  const tokens: Record<string, string> = {}
  for (const org of orgs) {
    // The demo's Redis keeps its data between runs (AOF), so the organisations may exist already.
    await call(apiUrl, adminToken, 'POST', '/v1/orgs', org, { existingIsFine: true })
    tokens[org.kind] = (await admin('POST', '/v1/tokens', { org: org.id, role: org.kind, label: 'demo' }))
      .token as string
  }

  // pre/post 0 so the demo window is exactly kickoff → end.
  await admin('PUT', '/v1/competitions/serie-a', {
    name: 'Serie A',
    timeZone: 'Europe/Rome',
    preMinutes: 0,
    postMinutes: 0,
  })
  const now = Date.now()
  const kickoff = now + 45_000
  const end = kickoff + 10 * 60_000
  const live = await admin('PUT', '/v1/events/demo-live', {
    competition: 'serie-a',
    kickoff: new Date(kickoff).toISOString(),
    end: new Date(end).toISOString(),
    title: 'Inter – Milan (demo)',
  })
  const laterKickoff = now + 3 * 3600_000
  await admin('PUT', '/v1/events/demo-later', {
    competition: 'serie-a',
    kickoff: new Date(laterKickoff).toISOString(),
    end: new Date(laterKickoff + 115 * 60_000).toISOString(),
    title: 'Roma – Lazio (demo)',
  })
  // Whom orders are notified to (docs/notices.md); the demo's notifier mails them to its SMTP sink.
  for (const [id, party] of Object.entries({
    'isp-demo': {
      name: 'Demo ISP',
      role: 'isp',
      channel: { kind: 'email', address: 'blocchi@pec.isp-demo.example' },
    },
    'sky-it': {
      name: 'Sky Italia',
      role: 'rightsholder',
      org: 'sky-it',
      channel: { kind: 'email', address: 'antipirateria@sky-it.example' },
    },
    'eu-iru': {
      name: "Europol's EU IRU",
      role: 'europol-iru',
      channel: { kind: 'email', address: 'iru@europol.example' },
    },
  }))
    await admin('PUT', `/v1/parties/${id}`, party)
  const season = seasonKey(kickoff)
  await admin('PUT', '/v1/orders/demo-order', {
    rightsholder: 'sky-it',
    competitions: ['serie-a'],
    season,
    reference: 'DEMO/26/DDA',
  })

  const week = (live.window as { week: string }).week
  const evidence = `sha256:${createHash('sha256').update('demo evidence bundle').digest('hex')}`
  const entries = [
    ...Array.from({ length: 25 }, (_, i) => ({ target: `203.0.113.${10 + i}` })),
    ...Array.from({ length: 24 }, (_, i) => ({ target: `198.51.100.${20 + i}` })),
    { target: '188.114.97.7', note: 'shared CDN front end: the guard must hold it' },
  ]
  const upload = await call(apiUrl, tokens.rightsholder!, 'PUT', `/v1/lists/sky-it/${week}`, {
    entries,
    evidence,
    criterion: 'sole-or-predominant-purpose',
  })
  const held = upload.held as { target: string; reason: string }[]

  return {
    env: {
      OFFSIDE_RIGHTSHOLDER_TOKEN: tokens.rightsholder!,
      OFFSIDE_AGENT_TOKEN: tokens.isp!,
      OFFSIDE_OPS_TOKEN: tokens.ops!,
    },
    summary: [
      'Demo data loaded through the API:',
      '  organisations: sky-it (rightsholder), isp-demo (ISP), ops-taskforce (ops)',
      `  competition serie-a (Europe/Rome); order demo-order for sky-it, season ${season}`,
      `  match demo-live goes live at ${time(kickoff)} (in 45 s) until ${time(end)} Europe/Rome; demo-later at ${time(laterKickoff)}`,
      `  list sky-it/${week}: ${upload.accepted} accepted, ${held.length} held (${held.map((h) => `${h.target}: ${h.reason}`).join(', ')})`,
    ],
  }
}
