import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateSigningKeyPair, signingKeyFromPem, trustedKeysFromPem } from '@offside/protocol'
import { type AuditRecord, auditHash, type Db, verifyAudit, writeCheckpoint } from '@offside/store'
import t from 'tap'
import { setUp, type Test } from '../helper.js'

/**
 * A chain of real API actions, checkpointed as the scheduler does, then an insider with write
 * access to Redis changes it; the export taken afterwards must fail offline, naming what was done.
 */
async function chain(t: Test) {
  const setup = await setUp(t)
  const { run, db, dir } = setup
  const pair = generateSigningKeyPair()
  const key = signingKeyFromPem(pair.privateKeyPem)
  const own = trustedKeysFromPem([pair.publicKeyPem])
  const publicKeyFile = join(dir, 'checkpoint.pub.pem')
  await writeFile(publicKeyFile, pair.publicKeyPem)
  const checkpoint = async () => {
    const outcome = await writeCheckpoint(db, key, own, Date.now())
    if (outcome.kind !== 'signed') throw new Error(`checkpoint: ${JSON.stringify(outcome)}`)
  }
  for (const id of ['isp-a', 'isp-b', 'isp-c']) {
    const made = await run(['org', 'create', id, '--kind', 'isp', '--name', id])
    if (made.code !== 0) throw new Error(made.err)
  }
  await checkpoint()
  for (const id of ['isp-d', 'isp-e', 'isp-f'])
    await run(['org', 'create', id, '--kind', 'isp', '--name', id])
  await checkpoint()
  const exportAndVerify = async () => {
    const file = join(dir, `export-${Math.random().toString(36).slice(2)}.jsonl`)
    const written = await run(['audit', 'export', file])
    if (written.code !== 0) throw new Error(written.err)
    return { ...(await run(['audit', 'verify', file, '--public-key', publicKeyFile])), file }
  }
  return { ...setup, exportAndVerify, publicKeyFile }
}

async function records(db: Db): Promise<AuditRecord[]> {
  const entries = (await db.redis.xrange(db.keys.audit, '-', '+')) as [string, string[]][]
  return entries.map(([, fields]) => JSON.parse(fields[1]!) as AuditRecord)
}

/** What an insider does: the stream rebuilt with other records (ids as the store writes them). */
async function rewrite(db: Db, next: AuditRecord[]): Promise<void> {
  const tx = db.redis.multi().del(db.keys.audit)
  next.forEach((record, i) => {
    tx.xadd(db.keys.audit, `${i + 1}-1`, 'record', JSON.stringify(record))
  })
  const last = next.at(-1)!
  tx.set(db.keys.auditHead, `${last.seq} ${last.hash}`)
  await tx.exec()
}

t.test('an untouched export verifies offline against the checkpoint public key', async (t) => {
  const { exportAndVerify } = await chain(t)
  const result = await exportAndVerify()
  t.equal(result.code, 0, `exit 0: ${result.out}${result.err}`)
  t.match(
    result.out,
    /audit export ok: 6 records, anchored up to record 6 by 2 signed checkpoints/,
    'says so',
  )
})

t.test('an edited record is named as changed, exit 1', async (t) => {
  const { db, exportAndVerify } = await chain(t)
  const all = await records(db)
  all[2] = { ...all[2]!, subject: 'org:someone-else' }
  await rewrite(db, all)
  const result = await exportAndVerify()
  t.equal(result.code, 1, 'exit 1')
  t.match(result.out, /^changed: record 3 was changed/m, 'names record 3 as changed')
  t.match(result.out, /does NOT verify/, 'and says the export does not verify')
})

t.test('a deleted record is named as missing, exit 1', async (t) => {
  const { db, exportAndVerify } = await chain(t)
  const all = await records(db)
  const tx = db.redis.multi().xdel(db.keys.audit, '4-1')
  await tx.exec()
  t.equal((await records(db)).length, all.length - 1, 'the insider removed one')
  const result = await exportAndVerify()
  t.equal(result.code, 1, 'exit 1')
  t.match(result.out, /^missing: record 4 is missing/m, 'names record 4 as missing')
})

t.test('two swapped records are named as reordered, exit 1', async (t) => {
  const { db, exportAndVerify } = await chain(t)
  const all = await records(db)
  ;[all[1], all[2]] = [all[2]!, all[1]!]
  await rewrite(db, all)
  const result = await exportAndVerify()
  t.equal(result.code, 1, 'exit 1')
  t.match(result.out, /^reordered: record 2 comes after record 3/m, 'names the swap')
})

t.test(
  'a whole chain rewritten consistently (every hash recomputed) is named as rewritten by the checkpoints, exit 1',
  async (t) => {
    const { db, exportAndVerify } = await chain(t)
    const all = await records(db)
    let prev = '0'.repeat(64)
    const forged = all.map((record) => {
      const body = { ...record, prev, subject: record.seq === 2 ? 'org:forged' : record.subject }
      const { hash: _, ...rest } = body
      const next = { ...rest, hash: auditHash(rest) }
      prev = next.hash
      return next
    })
    await rewrite(db, forged)
    t.ok((await verifyAudit(db)).ok, 'the chain alone still looks consistent: only a checkpoint can tell')
    const result = await exportAndVerify()
    t.equal(result.code, 1, 'exit 1')
    t.match(
      result.out,
      /^rewritten: record 3 does not have the hash the checkpoint/m,
      'the first checkpoint names it',
    )
    t.match(result.out, /^rewritten: record 6 /m, 'and so does the second')
    t.notMatch(result.out, /^(changed|broken-link)/m, 'no record is wrong on its own')
  },
)

t.test('a checkpoint forged with another key, or a file without checkpoints, does not verify', async (t) => {
  const { exportAndVerify, run, publicKeyFile } = await chain(t)
  const { file } = await exportAndVerify()
  const other = generateSigningKeyPair()
  const lines = (await readFile(file, 'utf8')).trimEnd().split('\n')
  const last = JSON.parse(lines.at(-1)!)
  lines[lines.length - 1] = JSON.stringify({ ...last, keyId: other.keyId })
  await writeFile(file, `${lines.join('\n')}\n`)
  const forged = await run(['audit', 'verify', file, '--public-key', publicKeyFile])
  t.equal(forged.code, 1, 'exit 1')
  t.match(
    forged.out,
    /^forged-checkpoint: the checkpoint at record 6 is signed by key/m,
    'names the checkpoint',
  )
  await writeFile(file, `${lines.filter((line) => !line.includes('"checkpoint"')).join('\n')}\n`)
  const bare = await run(['audit', 'verify', file, '--public-key', publicKeyFile])
  t.equal(bare.code, 1, 'exit 1')
  t.match(bare.out, /^unanchored: no checkpoint verifies/m, 'a chain without checkpoints is not anchored')
  const noKey = await run(['audit', 'verify', file])
  t.equal(noKey.code, 1, 'no key: exit 1')
  t.match(noKey.err, /needs --public-key/, 'and says what is missing')
})
