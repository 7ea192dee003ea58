import { generateSigningKeyPair, signingKeyFromPem, trustedKeysFromPem } from '@offside/protocol'
import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import { type AuditRecord, appendAudit, auditHash, iterateAudit } from '../src/audit.js'
import { readCheckpoints, writeCheckpoint } from '../src/audit-checkpoints.js'
import { checkpointLine, verifyAuditExport } from '../src/audit-export.js'
import { createDb } from '../src/keys.js'

async function setUp(t: { teardown(fn: () => unknown): void }) {
  const server = await startRedis(t)
  const redis = new Redis(server.url)
  t.teardown(() => redis.disconnect())
  const db = createDb(redis, 'checkpoint-test:')
  const pair = generateSigningKeyPair()
  const key = signingKeyFromPem(pair.privateKeyPem)
  const own = trustedKeysFromPem([pair.publicKeyPem])
  const append = (n: number) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        appendAudit(db, { at: i, actor: null, action: 'test', subject: `s${i}` }),
      ),
    )
  const exportText = async () => {
    const lines: string[] = []
    for await (const { record } of iterateAudit(db)) lines.push(JSON.stringify(record))
    for (const checkpoint of await readCheckpoints(db)) lines.push(checkpointLine(checkpoint))
    return `${lines.join('\n')}\n`
  }
  return { redis, db, key, own, append, exportText }
}

t.test('a checkpoint is signed once per head, even with several signers at once', async (t) => {
  const { db, key, own, append } = await setUp(t)
  t.match(await writeCheckpoint(db, key, own, 1), { kind: 'unchanged', seq: 0 }, 'an empty chain needs none')
  await append(5)
  const outcomes = await Promise.all([1, 2, 3].map((at) => writeCheckpoint(db, key, own, at)))
  t.equal(outcomes.filter((o) => o.kind === 'signed').length, 1, 'one signer signs the head')
  t.equal(outcomes.filter((o) => o.kind === 'unchanged').length, 2, 'the others find it signed')
  await append(2)
  t.match(
    await writeCheckpoint(db, key, own, 4),
    { kind: 'signed', checkpoint: { seq: 7 } },
    'a moved head is signed',
  )
  t.same(
    (await readCheckpoints(db)).map((c) => c.seq),
    [5, 7],
    'both stored, by seq',
  )
})

t.test('the signer refuses to sign a chain that no longer extends its last checkpoint', async (t) => {
  const { redis, db, key, own, append } = await setUp(t)
  await append(4)
  await writeCheckpoint(db, key, own, 1)
  // An insider rewrites record 2 and every later hash, then appends: the chain is consistent.
  const entries = (await redis.xrange(db.keys.audit, '-', '+')) as [string, string[]][]
  let prev = '0'.repeat(64)
  const tx = redis.multi().del(db.keys.audit)
  for (const [id, fields] of entries) {
    const { hash: _, ...record } = JSON.parse(fields[1]!) as AuditRecord
    const body = { ...record, prev, subject: record.seq === 2 ? 'forged' : record.subject }
    prev = auditHash(body)
    tx.xadd(db.keys.audit, id, 'record', JSON.stringify({ ...body, hash: prev }))
  }
  tx.set(db.keys.auditHead, `4 ${prev}`)
  await tx.exec()
  await append(1)
  const outcome = await writeCheckpoint(db, key, own, 2)
  t.match(outcome, { kind: 'broken', seq: 4 }, 'nothing signed, the checkpointed record named')
  t.match(outcome, { reason: /rewritten/ }, 'and why')
  t.equal((await readCheckpoints(db)).length, 1, 'no checkpoint covers the rewrite')
})

t.test('an export whose chain ends before its latest checkpoint is named as truncated', async (t) => {
  const { db, redis, key, own, append, exportText } = await setUp(t)
  await append(6)
  await writeCheckpoint(db, key, own, 1)
  t.match(
    verifyAuditExport(await exportText(), own),
    { ok: true, records: 6, anchoredUpTo: 6 },
    'whole: verifies',
  )
  await redis.xdel(db.keys.audit, '6-1', '5-1')
  const result = verifyAuditExport(await exportText(), own)
  t.equal(result.ok, false, 'cut short: does not verify')
  t.match(result.problems, [{ kind: 'truncated', seq: 6 }], 'the records removed from the end are named')
})
