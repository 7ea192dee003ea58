import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import { appendAudit, appendAudits, readAudit, verifyAudit } from '../src/audit.js'
import { createDb } from '../src/keys.js'
import { getListSummary, swapWeeklyList } from '../src/lists.js'

t.test('concurrent writers on separate connections never fork the audit chain', async (t) => {
  const server = await startRedis(t)
  const clients = [new Redis(server.url), new Redis(server.url), new Redis(server.url)]
  t.teardown(() => {
    for (const client of clients) client.disconnect()
  })
  const dbs = clients.map((client) => createDb(client, 'audit-test:'))
  await Promise.all(
    Array.from({ length: 60 }, (_, i) =>
      appendAudit(dbs[i % dbs.length]!, {
        at: i,
        actor: { org: 'authority', role: 'authority' },
        action: 'test.write',
        subject: `s${i}`,
      }),
    ),
  )
  const verification = await verifyAudit(dbs[0]!)
  t.match(verification, { ok: true, checked: 60, head: { seq: 60 } }, 'sixty records, one unbroken chain')
  const page = await readAudit(dbs[1]!, { limit: 1000 })
  t.same(
    page.records.map((record) => record.seq),
    Array.from({ length: 60 }, (_, i) => i + 1),
    'sequence numbers are contiguous',
  )
  t.equal(new Set(page.records.map((record) => record.subject)).size, 60, 'every write is there exactly once')
})

t.test(
  'records appended together are chained in their order, between concurrent single appends',
  async (t) => {
    const server = await startRedis(t)
    const redis = new Redis(server.url)
    t.teardown(() => redis.disconnect())
    const db = createDb(redis, 'audit-batch:')
    const record = (subject: string) => ({ at: 1, actor: null, action: 'notice.file', subject })
    const batches = Array.from({ length: 5 }, (_, b) =>
      Array.from({ length: 10 }, (_, i) => record(`batch${b}:${i}`)),
    )
    const [appended] = await Promise.all([
      appendAudits(db, batches[0]!),
      ...batches.slice(1).map((batch) => appendAudits(db, batch)),
      ...Array.from({ length: 10 }, (_, i) => appendAudit(db, record(`single:${i}`))),
    ])
    t.same(
      appended?.map((r) => r.subject),
      batches[0]?.map((r) => r.subject),
      'a batch answers its records in order',
    )
    t.match(
      await verifyAudit(db),
      { ok: true, checked: 60, head: { seq: 60 } },
      'one unbroken chain of all sixty',
    )
    const subjects = (await readAudit(db, { limit: 100 })).records.map((r) => r.subject)
    for (const [b, batch] of batches.entries()) {
      const at = subjects.indexOf(`batch${b}:0`)
      t.same(
        subjects.slice(at, at + 10),
        batch.map((r) => r.subject),
        `batch ${b} is contiguous and in order`,
      )
    }
    t.same(await appendAudits(db, []), [], 'an empty batch appends nothing')
  },
)

t.test('an empty log verifies, and keys carry the deployment prefix', async (t) => {
  const server = await startRedis(t)
  const redis = new Redis(server.url)
  t.teardown(() => redis.disconnect())
  const db = createDb(redis, 'tenant-a:')
  t.match(await verifyAudit(db), { ok: true, checked: 0 }, 'nothing to check is fine')
  await appendAudit(db, { at: 1, actor: null, action: 'complaint.file', subject: 'complaint:c1' })
  t.same(
    (await redis.keys('*')).sort(),
    ['tenant-a:audit', 'tenant-a:audit:head'],
    'only prefixed keys are written',
  )
})

t.test('a list upload and its audit record commit together, interleaved with other writers', async (t) => {
  const server = await startRedis(t)
  const clients = [new Redis(server.url), new Redis(server.url), new Redis(server.url)]
  t.teardown(() => {
    for (const client of clients) client.disconnect()
  })
  const dbs = clients.map((client) => createDb(client, 'audit-list:'))
  const upload = (i: number) => {
    const summary = {
      rightsholder: 'sky-it',
      week: `2026-W4${i % 4}`,
      version: `v${i}`,
      uploadedAt: i,
      uploadedBy: 'tok',
      entries: 1,
      accepted: 1,
      held: 0,
      rejected: 0,
      hotAdditions: 0,
    }
    return swapWeeklyList(dbs[i % dbs.length]!, {
      version: { summary, accepted: [{ target: `203.0.113.${i}/32` }], verdicts: {} },
      held: [],
      audit: {
        at: i,
        actor: null,
        action: 'list.upload',
        subject: `list:sky-it:2026-W4${i % 4}`,
        details: { version: `v${i}`, week: `2026-W4${i % 4}` },
      },
    })
  }
  const returned = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0
        ? upload(i)
        : appendAudit(dbs[i % dbs.length]!, { at: i, actor: null, action: 'test.write', subject: `s${i}` }),
    ),
  )
  t.match(await verifyAudit(dbs[0]!), { ok: true, checked: 40 }, 'one unbroken chain of forty records')
  const records = (await readAudit(dbs[0]!, { limit: 1000 })).records
  const uploads = records.filter((record) => record.action === 'list.upload')
  t.same(
    uploads.map((record) => (record.details as { version: string }).version).sort(),
    Array.from({ length: 20 }, (_, i) => `v${2 * i}`).sort(),
    'each upload has exactly one record',
  )
  t.same(
    returned.filter((_, i) => i % 2 === 0).map((record) => record?.seq),
    [...uploads]
      .sort(
        (a, b) =>
          Number((a.details as { version: string }).version.slice(1)) -
          Number((b.details as { version: string }).version.slice(1)),
      )
      .map((record) => record.seq),
    'swapWeeklyList returns the record it wrote',
  )
  for (const week of ['2026-W40', '2026-W42']) {
    const current = await getListSummary(dbs[0]!, 'sky-it', week)
    const last = uploads.filter((record) => (record.details as { week: string }).week === week).at(-1)
    t.equal(
      (last?.details as { version: string } | undefined)?.version,
      current?.version,
      `the last upload of ${week} in the chain is the list now in force`,
    )
  }
})

t.test('an audit record holding a non-finite number is refused and nothing is written', async (t) => {
  // The audit chain hashes the protocol's canonical JSON, which refuses what JSON cannot carry:
  // hashing NaN as null would make the record say something other than what was audited.
  const server = await startRedis(t)
  const redis = new Redis(server.url)
  t.teardown(() => redis.disconnect())
  const db = createDb(redis, 'audit-nan:')
  const actor = { org: 'authority', role: 'authority' as const }
  await t.rejects(
    appendAudit(db, { at: 1, actor, action: 'test.write', subject: 's', details: { ratio: Number.NaN } }),
    TypeError,
    'NaN refused',
  )
  t.match(await verifyAudit(db), { ok: true, checked: 0 }, 'the log is still empty')
})
