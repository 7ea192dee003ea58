import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import { appendAudit, readAudit, verifyAudit } from '../src/audit.js'
import { createDb } from '../src/keys.js'

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
