import {
  agentConnected,
  agentDisconnected,
  createDb,
  type Db,
  type RevisionReference,
  recordAck,
  recordRevisionReference,
} from '@offside/store'
import t from 'tap'
import { actors, build, expectProblem, orgWithToken } from '../../helper.js'

/**
 * Agents and acks are written by the gateway; here they are written through the store module the
 * gateway uses, and read back through the API as an authority or an ISP would.
 */
async function seed(db: Db, base: number) {
  const refs: RevisionReference[] = [
    { revision: 1, kind: 'list-upload', issuedAt: base, reference: base },
    {
      revision: 2,
      kind: 'window-open',
      issuedAt: base + 10_000,
      scheduledAt: base + 10_000,
      event: 'm1',
      reference: base + 10_000,
    },
    { revision: 3, kind: 'hot-addition', issuedAt: base + 20_000, event: 'm1', reference: base + 20_000 },
    {
      revision: 4,
      kind: 'window-close',
      issuedAt: base + 30_000,
      scheduledAt: base + 30_000,
      event: 'm1',
      reference: base + 30_000,
    },
  ]
  for (const ref of refs) await recordRevisionReference(db, ref)
  const connect = (isp: string, agentId: string, backend = 'nftables') =>
    agentConnected(db, {
      isp,
      agentId,
      capabilities: [`backend:${backend}`],
      lastRevision: 0,
      gateway: 'gw',
      now: base - 1,
      ttlMs: 60_000,
    })
  const ack = (isp: string, agentId: string, revision: number, receivedAt: number) =>
    recordAck(
      db,
      { isp, agentId },
      { revision, receivedAt, appliedAt: receivedAt, enforced: 1, staged: 0, notFitting: 0, source: 'ack' },
    )
  await connect('isp-a', 'edge-1')
  await connect('isp-b', 'edge-9')
  // isp-a/edge-1: on time for 1 and 2, 8 s late for 3, and 4 is covered by nothing yet.
  await ack('isp-a', 'edge-1', 1, base + 200)
  await ack('isp-a', 'edge-1', 2, base + 10_300)
  await ack('isp-a', 'edge-1', 3, base + 28_000)
  // isp-b/edge-9 was offline: it came back at revision 3, which covers 1 to 3 at that time.
  await ack('isp-b', 'edge-9', 3, base + 21_000)
}

t.test(
  'an authority sees every agent with its connection state and last acknowledged revision',
  async (t) => {
    const api = await build(t)
    const who = await actors(api)
    const db = createDb(api.redis, api.config.keyPrefix)
    await seed(db, Date.now() - 60_000)
    const res = await api.call(who.authority, { method: 'GET', url: '/v1/agents' })
    t.equal(res.statusCode, 200, 'listed')
    t.same(
      res.json().agents.map((a: Record<string, unknown>) => ({
        isp: a.isp,
        agentId: a.agentId,
        connected: a.connected,
        lastRevision: a.lastRevision,
      })),
      [
        { isp: 'isp-a', agentId: 'edge-1', connected: true, lastRevision: 3 },
        { isp: 'isp-b', agentId: 'edge-9', connected: true, lastRevision: 3 },
      ],
      'both agents and no other, by ISP',
    )
  },
)

t.test('each agent shows its backend and its version, null when it sent none', async (t) => {
  const api = await build(t)
  const who = await actors(api)
  const db = createDb(api.redis, api.config.keyPrefix)
  await seed(db, Date.now() - 60_000)
  await agentConnected(db, {
    isp: 'isp-a',
    agentId: 'edge-2',
    capabilities: ['backend:nftables'],
    version: '0.1.0',
    lastRevision: 0,
    gateway: 'gw',
    now: Date.now(),
    ttlMs: 60_000,
  })
  const agents = (await api.call(who.authority, { method: 'GET', url: '/v1/agents' })).json().agents
  t.match(
    agents.find((a: { agentId: string }) => a.agentId === 'edge-2'),
    { backend: 'nftables', version: '0.1.0' },
    'backend and version shown',
  )
  t.match(
    agents.find((a: { agentId: string }) => a.agentId === 'edge-1'),
    { backend: 'nftables', version: null },
    'an older agent: backend from its capability, no version',
  )
})

t.test('ops retire a disconnected agent: it leaves the list, the decision is audited', async (t) => {
  const api = await build(t)
  const who = await actors(api)
  const db = createDb(api.redis, api.config.keyPrefix)
  await seed(db, Date.now() - 60_000)
  await agentDisconnected(db, { isp: 'isp-b', agentId: 'edge-9' }, 'gw')
  const retire = (token: string, ref: string) =>
    api.call(token, { method: 'POST', url: `/v1/agents/${ref}/retire` })
  t.equal((await retire(who.rightsholder, 'isp-b/edge-9')).statusCode, 403, 'a rightsholder may not')
  t.match(
    (await retire(who.ops, 'isp-a/edge-1')).json(),
    { code: 'OFFSIDE_CONFLICT', field: 'agentId' },
    'a connected agent is refused',
  )
  t.equal((await retire(who.ops, 'isp-a/nope')).statusCode, 404, 'an unknown agent is 404')
  const done = await retire(who.ops, 'isp-b/edge-9')
  t.same(done.json(), { isp: 'isp-b', agentId: 'edge-9', retired: true }, 'retired')
  const agents = (await api.call(who.authority, { method: 'GET', url: '/v1/agents' })).json().agents
  t.same(
    agents.map((a: { agentId: string }) => a.agentId),
    ['edge-1'],
    'no longer listed',
  )
  const audit = (await api.call(who.authority, { method: 'GET', url: '/v1/audit?limit=100' })).json().records
  t.ok(
    audit.some(
      (r: { action: string; subject: string }) =>
        r.action === 'agent.retire' && r.subject === 'agent:isp-b/edge-9',
    ),
    'audited',
  )
})

t.test('an ISP sees only its own agents and report', async (t) => {
  const api = await build(t)
  const who = await actors(api)
  await orgWithToken(api, 'isp-b', 'isp')
  const db = createDb(api.redis, api.config.keyPrefix)
  await seed(db, Date.now() - 60_000)
  const agents = await api.call(who.isp, { method: 'GET', url: '/v1/agents' })
  t.same(
    agents.json().agents.map((a: { agentId: string }) => a.agentId),
    ['edge-1'],
    'only isp-a agents',
  )
  const other = await api.call(who.isp, { method: 'GET', url: '/v1/reports/compliance?isp=isp-b' })
  expectProblem(t, other, 403, 'OFFSIDE_FORBIDDEN', 'another ISP report is refused')
  const rightsholder = await api.call(who.rightsholder, { method: 'GET', url: '/v1/agents' })
  expectProblem(t, rightsholder, 403, 'OFFSIDE_FORBIDDEN', 'a rightsholder cannot list agents')
})

t.test(
  'the compliance report flags late and missing acks and measures windows from their scheduled instant',
  async (t) => {
    const api = await build(t)
    const who = await actors(api)
    const db = createDb(api.redis, api.config.keyPrefix)
    const base = Date.now() - 60_000
    await seed(db, base)
    const res = await api.call(who.authority, { method: 'GET', url: '/v1/reports/compliance' })
    t.equal(res.statusCode, 200, 'report served')
    const body = res.json()
    const row = (isp: string, revision: number) =>
      body.rows.find((r: { isp: string; revision: number }) => r.isp === isp && r.revision === revision)
    t.match(row('isp-a', 1), { status: 'on-time', delayMs: 200 }, 'trigger measured from its issue')
    t.match(
      row('isp-a', 2),
      { status: 'on-time', delayMs: 300, kind: 'window-open', event: 'm1' },
      'window open on time',
    )
    t.match(row('isp-a', 3), { status: 'late', delayMs: 8000 }, 'late past the 5 s bound')
    t.match(row('isp-a', 4), { status: 'missing', delayMs: null }, 'never acknowledged')
    t.match(
      row('isp-b', 1),
      { status: 'late', delayMs: 21_000 },
      'an offline agent is late for what it missed',
    )
    t.match(row('isp-b', 3), { status: 'on-time', delayMs: 1000 }, 'and on time once back')
    t.match(
      body.summary.find((s: { isp: string }) => s.isp === 'isp-a'),
      { agents: 1, expected: 4, onTime: 2, late: 1, missing: 1, maxDelayMs: 8000 },
      'per-ISP totals',
    )
    const looser = await api.call(who.authority, {
      method: 'GET',
      url: '/v1/reports/compliance?lateMs=10000',
    })
    t.equal(
      looser.json().rows.find((r: { isp: string; revision: number }) => r.isp === 'isp-a' && r.revision === 3)
        .status,
      'on-time',
      'the bound can be set per request',
    )
  },
)

t.test('the compliance report exports as CSV', async (t) => {
  const api = await build(t)
  const who = await actors(api)
  await seed(createDb(api.redis, api.config.keyPrefix), Date.now() - 60_000)
  const res = await api.call(who.isp, { method: 'GET', url: '/v1/reports/compliance?format=csv' })
  t.equal(res.statusCode, 200, 'served')
  t.match(res.headers['content-type'], /text\/csv/, 'as CSV')
  const lines = res.body.trim().split('\r\n')
  t.equal(
    lines[0],
    'revision,kind,event,reference,isp,agentId,ackedAt,delayMs,status,backend,enforcedNames,stagedNames,clockOffsetMs,clockSkewed',
    'header row',
  )
  t.equal(lines.length, 5, 'one row per revision of the ISP agent')
  t.match(lines[3], /^3,hot-addition,m1,.*,isp-a,edge-1,.*,8000,late,nftables,0,0,,$/, 'a late row')
  t.match(lines[4], /^4,window-close,.*,missing,nftables,,,,$/, 'no names for a revision not acknowledged')
})

t.test(
  'agents and the compliance report show the domain names an agent enforces beside its prefixes',
  async (t) => {
    const api = await build(t)
    const who = await actors(api)
    const db = createDb(api.redis, api.config.keyPrefix)
    const base = Date.now() - 60_000
    await seed(db, base)
    const edge = { isp: 'isp-a', agentId: 'edge-1' }
    const named = { enforced: 1, staged: 0, notFitting: 0, source: 'ack' as const }
    await recordAck(db, edge, {
      ...named,
      revision: 4,
      receivedAt: base + 30_100,
      appliedAt: base,
      enforcedNames: 0,
      stagedNames: 0,
    })
    await recordAck(db, edge, {
      ...named,
      revision: 5,
      receivedAt: base + 40_000,
      appliedAt: base,
      enforcedNames: 7,
      stagedNames: 2,
    })
    const agents = (await api.call(who.authority, { method: 'GET', url: '/v1/agents' })).json().agents
    t.match(
      agents.find((a: { agentId: string }) => a.agentId === 'edge-1'),
      { enforced: 1, staged: 0, enforcedNames: 7, stagedNames: 2 },
      'the agent list shows the names of its last ack',
    )
    t.match(
      agents.find((a: { agentId: string }) => a.agentId === 'edge-9'),
      { enforcedNames: 0, stagedNames: 0 },
      'an agent that never reported names counts 0',
    )
    await recordRevisionReference(db, {
      revision: 5,
      kind: 'hot-addition',
      issuedAt: base + 39_000,
      reference: base + 39_000,
    })
    const body = (await api.call(who.authority, { method: 'GET', url: '/v1/reports/compliance' })).json()
    const row = (revision: number) =>
      body.rows.find(
        (r: { agentId: string; revision: number }) => r.agentId === 'edge-1' && r.revision === revision,
      )
    t.match(
      row(5),
      { status: 'on-time', enforcedNames: 7, stagedNames: 2 },
      'a row carries the names of its ack',
    )
    t.match(row(3), { enforcedNames: 0, stagedNames: 0 }, 'an ack from before names were reported counts 0')
    const csv = (await api.call(who.authority, { method: 'GET', url: '/v1/reports/compliance?format=csv' }))
      .body
    t.match(
      csv,
      /\r\n5,hot-addition,,.*,isp-a,edge-1,.*,on-time,nftables,7,2,,\r\n/,
      'and so does its CSV line',
    )
  },
)

t.test('a dry-run agent never counts as enforcing: the report shows it apart', async (t) => {
  const api = await build(t)
  const who = await actors(api)
  const db = createDb(api.redis, api.config.keyPrefix)
  const base = Date.now() - 60_000
  await seed(db, base)
  await agentConnected(db, {
    isp: 'isp-a',
    agentId: 'lab',
    capabilities: ['backend:dry-run'],
    lastRevision: 0,
    gateway: 'gw',
    now: base - 1,
    ttlMs: 60_000,
  })
  for (const revision of [1, 2, 3, 4]) {
    await recordAck(
      db,
      { isp: 'isp-a', agentId: 'lab' },
      {
        revision,
        receivedAt: base + 100,
        appliedAt: base,
        enforced: 1,
        staged: 0,
        notFitting: 0,
        source: 'ack',
      },
    )
  }
  const body = (await api.call(who.authority, { method: 'GET', url: '/v1/reports/compliance' })).json()
  t.notOk(
    body.rows.some((r: { agentId: string }) => r.agentId === 'lab'),
    'no row of the dry-run agent among the enforcing',
  )
  t.match(
    body.summary.find((s: { isp: string }) => s.isp === 'isp-a'),
    { agents: 1, onTime: 2, late: 1, missing: 1 },
    "its on-time acks do not improve the ISP's totals",
  )
  t.match(body.notEnforcing.summary, [{ isp: 'isp-a', agents: 1, expected: 4 }], 'it is counted apart')
  t.ok(
    body.notEnforcing.rows.every((r: { backend: string }) => r.backend === 'dry-run'),
    'its rows name the backend',
  )
  const agents = (await api.call(who.authority, { method: 'GET', url: '/v1/agents' })).json().agents
  t.match(
    agents.find((a: { agentId: string }) => a.agentId === 'lab'),
    { backend: 'dry-run', enforcing: false },
    'the agent list says so',
  )
})

t.test('CSV cells that a spreadsheet would run as a formula are neutralised', async (t) => {
  const api = await build(t)
  const who = await actors(api)
  const db = createDb(api.redis, api.config.keyPrefix)
  const base = Date.now() - 60_000
  await recordRevisionReference(db, { revision: 1, kind: 'list-upload', issuedAt: base, reference: base })
  const hostile = ['=HYPERLINK("http://x.example")', '+1+1', '-2+3', '@SUM(A1)', '\tTAB', '\rCR']
  for (const [i, agentId] of hostile.entries()) {
    // Agent ids are bounded by the protocol, but records may predate it: the export must not trust them.
    await agentConnected(db, {
      isp: 'isp-a',
      agentId,
      capabilities: [i % 2 === 0 ? '=cmd|calc' : 'backend:nftables'],
      lastRevision: 0,
      gateway: 'gw',
      now: base - 1,
      ttlMs: 60_000,
    })
  }
  const csv = (await api.call(who.authority, { method: 'GET', url: '/v1/reports/compliance?format=csv' }))
    .body
  const cells = csv
    .trim()
    .split('\r\n')
    .slice(1)
    .flatMap((line) => line.match(/("([^"]|"")*"|[^,]*)/g) ?? [])
    .filter((cell) => cell !== '')
    .map((cell) => (cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell))
  t.ok(cells.length > 0, 'rows exported')
  for (const cell of cells) t.notMatch(cell, /^[=+@\t\r]|^-(?!\d+$)/, `cell ${JSON.stringify(cell)} is inert`)
  t.match(csv, /'=HYPERLINK/, 'the hostile id is kept, prefixed with an apostrophe')
})

t.test('the agent list is paginated', async (t) => {
  const api = await build(t)
  const who = await actors(api)
  const db = createDb(api.redis, api.config.keyPrefix)
  await seed(db, Date.now() - 60_000)
  const page = (await api.call(who.authority, { method: 'GET', url: '/v1/agents?limit=1&offset=1' })).json()
  t.equal(page.total, 2, 'total counts every agent')
  t.same(
    page.agents.map((a: { agentId: string }) => a.agentId),
    ['edge-9'],
    'one page',
  )
  expectProblem(
    t,
    await api.call(who.authority, { method: 'GET', url: '/v1/agents?limit=100000' }),
    400,
    'OFFSIDE_VALIDATION',
    'refused',
  )
})
