// Spans lists, hot additions and guard decisions: racing writers each land wholly before or after an upload.
import t from 'tap'
import { ADMIN, EVIDENCE, withLiveMatch } from '../helper.js'

const V1_ACCEPTED = ['203.0.113.1', '203.0.113.2', '203.0.113.3']
const V2_ACCEPTED = ['203.0.113.101', '203.0.113.102', '203.0.113.103']
/** IPv6 /40s: broader than the /48 soft limit, so the guard holds them for review. */
const wide = (i: number) => `2001:db8:${i.toString(16).padStart(2, '0')}00::/40`
const V1_HELD = Array.from({ length: 20 }, (_, i) => wide(i + 1))
const V2_HELD = [wide(0xf0)]
const HOT = Array.from({ length: 20 }, (_, i) => `198.51.100.${i + 1}`)

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Audited {
  seq: number
  action: string
  subject: string
  details: { version?: string; targets?: string[]; target?: string }
}

t.test(
  '20 hot additions and 20 guard decisions racing an upload: each lands wholly before or after it (the audit order says which), none is lost or half-applied, and the list stays readable once the old version expires',
  async (t) => {
    const { api, tokens, week } = await withLiveMatch(t)
    const url = `/v1/lists/sky-it/${week}`
    const upload = (targets: string[]) =>
      api.call(tokens.rightsholder, {
        method: 'PUT',
        url,
        payload: { entries: targets.map((target) => ({ target })), evidence: EVIDENCE },
      })
    const started = Date.now()
    const v1 = await upload([...V1_ACCEPTED, ...V1_HELD])
    // The others start at random instants over about twice as long as an upload takes, so some
    // land while the upload is between its reads and its commit.
    const spreadMs = Math.max(20, 2 * (Date.now() - started))
    t.equal(v1.statusCode, 200, 'the first version is stored')
    t.equal(v1.json().held.length, V1_HELD.length, 'with its wide entries held')
    const pending = await api.call(tokens.ops, { method: 'GET', url: '/v1/guard/held' })
    const heldIds = pending.json().held.map((h: { id: string }) => h.id) as string[]
    t.equal(heldIds.length, V1_HELD.length, 'each waiting for review')

    const actions = [
      () => upload([...V2_ACCEPTED, ...V2_HELD]).then((res) => ({ kind: 'upload', target: '', res })),
      ...HOT.map(
        (target) => () =>
          api
            .call(tokens.rightsholder, {
              method: 'POST',
              url: `${url}/entries`,
              payload: { entries: [{ target }], evidence: EVIDENCE },
            })
            .then((res) => ({ kind: 'hot', target, res })),
      ),
      ...heldIds.map(
        (id) => () =>
          api
            .call(tokens.ops, { method: 'POST', url: `/v1/guard/held/${id}/approve`, payload: {} })
            .then((res) => ({ kind: 'decision', target: id, res })),
      ),
    ]
    const results = await Promise.all(
      actions.map((run, i) => (i === 0 ? run() : sleep(Math.random() * spreadMs).then(run))),
    )
    t.comment(
      `decisions: ${results.filter((r) => r.kind === 'decision' && r.res.statusCode === 200).length} applied before the upload`,
    )

    const uploaded = results.find((r) => r.kind === 'upload')
    t.equal(uploaded?.res.statusCode, 200, 'the upload succeeds')
    const v2Version = uploaded?.res.json().version as string
    const hot = results.filter((r) => r.kind === 'hot')
    t.same(
      hot.map((r) => r.res.statusCode),
      HOT.map(() => 200),
      'every hot addition succeeds',
    )
    const decisions = results.filter((r) => r.kind === 'decision')
    t.ok(
      decisions.every((r) => r.res.statusCode === 200 || r.res.statusCode === 404),
      `each decision is applied or finds its entry replaced: ${decisions.map((r) => r.res.statusCode)}`,
    )

    const audit = (await api.call(ADMIN, { method: 'GET', url: '/v1/audit/export' })).body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Audited)
    const uploads = audit.filter((r) => r.action === 'list.upload' && r.details.version === v2Version)
    t.equal(uploads.length, 1, 'the upload has exactly one audit record')
    const uploadSeq = uploads[0]?.seq ?? 0
    const hotRecords = audit.filter((r) => r.action === 'list.hot-addition')
    t.same(
      hotRecords.flatMap((r) => r.details.targets ?? []).sort(),
      HOT.map((target) => `${target}`).sort(),
      'each hot addition has exactly one audit record',
    )
    const approvals = audit.filter((r) => r.action === 'guard.approve')
    const approved = decisions.filter((r) => r.res.statusCode === 200).map((r) => r.target)
    t.same(
      approvals.map((r) => r.subject).sort(),
      approved.map((id) => `held:${id}`).sort(),
      'each applied decision has exactly one audit record, a refused one none',
    )
    t.ok(
      approvals.every((r) => r.seq < uploadSeq),
      'every applied decision committed before the upload replaced its entry',
    )

    // What the list holds follows the audit order: the upload dropped what came before it.
    const after = new Set(hotRecords.filter((r) => r.seq > uploadSeq).flatMap((r) => r.details.targets ?? []))
    // The old version's keys expire an hour after the swap: make that hour pass.
    const prefix = api.config.keyPrefix
    for (const key of await api.redis.keys(`${prefix}list-*`)) {
      if ((await api.redis.ttl(key)) > 0) await api.redis.del(key)
    }
    const entries = await api.call(tokens.ops, { method: 'GET', url: `${url}/entries?limit=1000` })
    t.equal(entries.statusCode, 200, 'the list is readable once the old version has expired')
    t.equal(entries.json().version, v2Version, 'and points at the uploaded version')
    const listed = entries.json().entries as { target: string; source: string }[]
    t.same(
      listed
        .filter((e) => e.source === 'upload')
        .map((e) => e.target)
        .sort(),
      [...V2_ACCEPTED].sort(),
      'every uploaded entry is there',
    )
    t.same(
      listed
        .filter((e) => e.source !== 'upload')
        .map((e) => e.target)
        .sort(),
      [...after].sort(),
      'exactly the hot additions that committed after the upload are there, and no approval from before it',
    )

    const stillHeld = await api.call(tokens.ops, { method: 'GET', url: '/v1/guard/held' })
    t.same(
      stillHeld.json().held.map((h: { target: string }) => h.target),
      V2_HELD,
      'only the new version’s entry waits for review: nothing of the old version half-remains',
    )
    const stored = await api.redis.hvals(`${prefix}guard:held`)
    t.same(
      stored.map((raw) => JSON.parse(raw).target),
      V2_HELD,
      'and no decided entry of the old version was written back after the upload removed it',
    )
    const verified = await api.call(ADMIN, { method: 'GET', url: '/v1/audit/verify' })
    t.equal(verified.json().ok, true, 'the audit chain holds')
  },
)
