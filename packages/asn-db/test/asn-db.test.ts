/**
 * The real database shipped in @ip-location-db/asn. Real announced addresses appear here only as
 * data to look up in a file: no packet is ever sent to them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGuard, defaultGuardConfig, parseTarget, type Target } from '@offside/core'
import t from 'tap'
import { loadAsnDatabase } from '../src/index.js'

function target(text: string): Target {
  const result = parseTarget(text)
  if (!result.ok) throw new Error(`test target ${text} does not parse`)
  return result.target
}

const db = await loadAsnDatabase()

t.test('the shipped database knows who announces well-known addresses', async (t) => {
  t.ok(db.source.v4Rows > 100_000 && db.source.v6Rows > 10_000, 'full IPv4 and IPv6 tables')
  t.match(db.lookup('188.114.97.7/32'), [{ asn: 13335, organisation: /Cloudflare/ }])
  t.match(db.lookup('8.8.8.8/32'), [{ asn: 15169, organisation: /Google/ }])
  t.match(db.lookup('151.101.1.1/32'), [{ asn: 54113, organisation: /Fastly/ }])
  t.match(db.lookup('2606:4700::/32'), [{ asn: 13335 }])
  t.same(db.lookup('203.0.113.7/32'), [], 'documentation ranges are announced by nobody')
  t.same(db.lookup('2001:db8::/32'), [])
})

t.test('a broad prefix lists each announcing network once, bounded', async (t) => {
  const networks = db.lookup('104.16.0.0/13')
  t.ok(networks.length >= 1 && networks.length <= 16)
  t.equal(new Set(networks.map((n) => n.asn)).size, networks.length, 'no network twice')
  t.ok(networks.some((n) => n.asn === 13335))
})

t.test(
  'with the real database and no protected range, a CDN address is held as shared infrastructure',
  async (t) => {
    const guard = createGuard({ ...defaultGuardConfig, protectedRanges: [] }, { asnOf: db.lookup })
    for (const [text, asn] of [
      ['188.114.97.7', 13335], // Italy, February 2024
      ['151.101.1.1', 54113],
      ['78.46.1.1', 24940],
      ['2606:4700::6810:84e5', 13335],
    ] as const) {
      const verdict = guard.check(target(text), { hasCurrentOrder: true })
      t.equal(verdict.verdict, 'held', `${text} is held`)
      t.match(verdict.reasons, [{ code: 'shared-infrastructure', asn }], `naming AS${asn}`)
    }
  },
)

t.test('an operator can load newer files of the same format from its own folder', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'offside-asn-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  // 203.0.113.0/25 → AS64500 "Example ""Hosting"", Ltd", 2001:db8::/48 → AS64501
  await writeFile(join(dir, 'asn-ipv4-num.csv'), '3405803776,3405803903,64500,"Example ""Hosting"", Ltd"\r\n')
  await writeFile(
    join(dir, 'asn-ipv6-num.csv'),
    '42540766411282592856903984951653826560,42540766411283801782723599580828532735,64501,Example Six\n',
  )
  const mine = await loadAsnDatabase(dir)
  t.same(mine.lookup('203.0.113.7/32'), [{ asn: 64500, organisation: 'Example "Hosting", Ltd' }])
  t.same(mine.lookup('203.0.113.200/32'), [])
  t.same(mine.lookup('2001:db8::1/128'), [{ asn: 64501, organisation: 'Example Six' }])
  t.same(mine.lookup('2001:db8:1::/48'), [])
})

t.test('unsorted or truncated files are refused with the line', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'offside-asn-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'asn-ipv6-num.csv'), '')
  await writeFile(
    join(dir, 'asn-ipv4-num.csv'),
    '3405803776,3405803903,64500,A\n3405803520,3405803775,64501,B\n',
  )
  await t.rejects(loadAsnDatabase(dir), /line 2: rows must be sorted/)
  await writeFile(join(dir, 'asn-ipv4-num.csv'), '3405803776,3405803903\n')
  await t.rejects(loadAsnDatabase(dir), /line 1: expected start,end,asn,organisation/)
})
