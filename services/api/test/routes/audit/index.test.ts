import { createHash } from 'node:crypto'
import t from 'tap'
import { ADMIN, actors, build, type TestApi } from '../../helper.js'

async function someHistory(api: TestApi) {
  const tokens = await actors(api)
  await api.call(ADMIN, { method: 'PUT', url: '/v1/competitions/serie-a', payload: { name: 'Serie A' } })
  return tokens
}

t.test('every mutation appends a hash-chained record that names the actor; the chain verifies', async (t) => {
  const api = await build(t)
  const tokens = await someHistory(api)
  const page = await api.call(ADMIN, { method: 'GET', url: '/v1/audit?limit=3' })
  t.equal(page.statusCode, 200, 'the authority pages the log')
  const records = page.json().records as {
    seq: number
    prev: string
    hash: string
    action: string
    actor: { org: string }
  }[]
  t.same(
    records.map((r) => r.seq),
    [1, 2, 3],
    'oldest first, numbered',
  )
  t.equal(records[0]!.action, 'org.create', 'the first mutation is recorded')
  t.equal(records[0]!.actor.org, 'authority', 'with its actor')
  t.equal(records[1]!.prev, records[0]!.hash, 'each record carries the hash of the previous one')
  t.equal(page.json().nextAfter, 3, 'and says where the next page starts')
  const next = await api.call(tokens.ops, { method: 'GET', url: '/v1/audit?after=3&limit=100' })
  t.equal(next.json().records[0].seq, 4, 'ops read the next page')
  t.equal(next.json().records.at(-1).action, 'competition.create', 'the last mutation is there')
  const verify = await api.call(ADMIN, { method: 'GET', url: '/v1/audit/verify' })
  t.match(verify.json(), { ok: true, checked: 9 }, 'the chain verifies')
  t.notMatch(JSON.stringify(next.json()), /ofs_/, 'no token ever appears in the log')
  t.equal(
    (await api.call(tokens.rightsholder, { method: 'GET', url: '/v1/audit' })).statusCode,
    403,
    'a rightsholder cannot read the log',
  )
  t.equal(
    (await api.call(tokens.isp, { method: 'GET', url: '/v1/audit/verify' })).statusCode,
    403,
    'an ISP cannot verify it',
  )
})

t.test('changing one record in Redis makes verify name exactly that record', async (t) => {
  const api = await build(t)
  await someHistory(api)
  const key = api.config.keyPrefix + 'audit'
  const entries = (await api.redis.xrange(key, '-', '+')) as [string, string[]][]
  // Rewrite the stream with record 4 altered, the way someone with Redis access could.
  await api.redis.del(key)
  for (const [id, fields] of entries) {
    const record = JSON.parse(fields[1]!)
    if (record.seq === 4) record.subject = 'org:someone-else'
    await api.redis.xadd(key, id, 'record', JSON.stringify(record))
  }
  const verify = await api.call(ADMIN, { method: 'GET', url: '/v1/audit/verify' })
  t.match(
    verify.json(),
    { ok: false, checked: 3, firstBad: { seq: 4, reason: /changed/ } },
    'record 4 is named',
  )
})

t.test('removing a record from the middle or the end is detected', async (t) => {
  const api = await build(t)
  await someHistory(api)
  const key = api.config.keyPrefix + 'audit'
  await api.redis.xdel(key, '6-1')
  const middle = await api.call(ADMIN, { method: 'GET', url: '/v1/audit/verify' })
  t.match(
    middle.json(),
    { ok: false, firstBad: { seq: 6, reason: /missing/ } },
    'a gap names the missing record',
  )

  const other = await build(t)
  await someHistory(other)
  await other.redis.xdel(other.config.keyPrefix + 'audit', '9-1')
  const tail = await other.call(ADMIN, { method: 'GET', url: '/v1/audit/verify' })
  t.match(tail.json(), { ok: false, firstBad: { seq: 9 } }, 'a truncated tail is caught by the head')
})

/** JSON with keys sorted at every level, written here again so the offline check shares no code with the API. */
function sortedJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`
}

/**
 * What an auditor does with the exported file alone: recompute each record's SHA-256 over every
 * field but `hash`, and check it links to the one before. Returns the first bad seq, or null.
 */
function verifyOffline(lines: Record<string, unknown>[]): number | null {
  let prev = '0'.repeat(64)
  for (const [i, record] of lines.entries()) {
    const { hash, ...body } = record
    const recomputed = createHash('sha256').update(sortedJson(body)).digest('hex')
    if (record.seq !== i + 1 || record.prev !== prev || recomputed !== hash) return Number(record.seq)
    prev = String(hash)
  }
  return null
}

t.test('the log exports as JSON lines whose hashes and links re-verify offline', async (t) => {
  const api = await build(t)
  await someHistory(api)
  const exported = await api.call(ADMIN, { method: 'GET', url: '/v1/audit/export' })
  t.equal(exported.statusCode, 200, 'exported')
  t.match(exported.headers['content-type'], /application\/x-ndjson/, 'as JSON lines')
  const lines = exported.body
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
  t.equal(lines.length, 9, 'one line per record')
  t.equal(
    verifyOffline(lines),
    null,
    'every hash recomputes from its record and every record links to the one before',
  )

  const changed = lines.map((record) => ({ ...record }))
  changed[4] = { ...changed[4], subject: 'org:someone-else' }
  t.equal(verifyOffline(changed), 5, 'a record changed in the file (links intact) is caught by its hash')
  const rehashed = changed.map((record) => ({ ...record }))
  const { hash: _old, ...body } = rehashed[4] as Record<string, unknown>
  rehashed[4] = { ...body, hash: createHash('sha256').update(sortedJson(body)).digest('hex') }
  t.equal(verifyOffline(rehashed), 6, 'and rehashing it breaks the link of the next one')
})
