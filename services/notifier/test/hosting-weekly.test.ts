/**
 * Weekly hosting-provider notices (UK model) with the real IP-to-ASN database shipped in
 * @ip-location-db/asn and a real SMTP server. Real announced addresses appear only as data in a
 * list and a file look-up: nothing is ever sent to them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadAsnDatabase } from '@offside/asn-db'
import { weekBounds } from '@offside/core'
import { generateSigningKeyPair, signingKeyFromPem } from '@offside/protocol'
import {
  createDb,
  createQueue,
  getNotice,
  listNotices,
  type Notice,
  putCompetition,
  putEvent,
  putOrder,
  putParty,
  swapWeeklyList,
} from '@offside/store'
import { startRedis, startSmtpSink } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import { type HostingWeeklyOptions, runHostingWeekly } from '../src/hosting-weekly.js'
import { startNotifier } from '../src/worker.js'

const redisServer = await startRedis(t)
const redis = new Redis(redisServer.url)
t.teardown(() => redis.disconnect())
const connection = { redisUrl: redisServer.url, keyPrefix: 'offside:' }
const db = createDb(redis, connection.keyPrefix)
const smtp = await startSmtpSink()
t.teardown(() => smtp.stop())
const notifier = startNotifier({
  redis,
  connection,
  smtpUrl: smtp.url,
  from: 'Offside <offside@authority.example>',
  signingKey: signingKeyFromPem(generateSigningKeyPair().privateKeyPem),
})
t.teardown(() => notifier.close())
const queue = createQueue('notify', connection)
t.teardown(() => queue.close())
const asnDb = await loadAsnDatabase()

const week = '2026-W48'
const { end: weekEnd } = weekBounds(week, 'Europe/Rome')
const kickoff = Date.parse('2026-11-25T20:45:00+01:00')
await putCompetition(db, {
  id: 'serie-a',
  name: 'Serie A',
  timeZone: 'Europe/Rome',
  preMinutes: 15,
  postMinutes: 30,
})
await putEvent(db, {
  id: 'm1',
  competition: 'serie-a',
  kickoff,
  end: kickoff + 115 * 60_000,
  status: 'scheduled',
})
await putOrder(db, {
  id: 'o1',
  rightsholder: 'sky-it',
  competitions: ['serie-a'],
  season: '2026-27',
  reference: '123/26/DDA',
  suspended: false,
  issuedAt: kickoff - 30 * 86_400_000,
  updatedAt: kickoff - 30 * 86_400_000,
})
// Two addresses at OVH (AS16276), one at Hetzner (AS24940), one at DigitalOcean (AS14061, no contact),
// and a documentation address nobody announces.
const listed = ['51.75.0.10/32', '51.75.0.11/32', '78.46.1.1/32', '104.131.0.1/32', '203.0.113.7/32']
await swapWeeklyList(db, {
  version: {
    summary: {
      rightsholder: 'sky-it',
      week,
      version: 'v1',
      uploadedAt: kickoff - 86_400_000,
      uploadedBy: 'test',
      entries: listed.length,
      accepted: listed.length,
      held: 0,
      rejected: 0,
      hotAdditions: 0,
    },
    accepted: listed.map((target) => ({ target })),
    verdicts: [],
  },
  held: [],
})
// OVH's abuse contact through the API's party table, Hetzner's through the operator's file.
await putParty(db, {
  id: 'ovh',
  name: 'OVH abuse',
  role: 'hosting-provider',
  channel: { kind: 'email', address: 'abuse@ovh.example' },
  asns: [16276],
})
const dir = await mkdtemp(join(tmpdir(), 'offside-contacts-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
const contactsFile = join(dir, 'abuse-contacts.json')
await writeFile(
  contactsFile,
  JSON.stringify({
    contacts: [
      {
        id: 'hetzner',
        name: 'Hetzner abuse',
        channel: { kind: 'email', address: 'abuse@hetzner.example' },
        asns: [24940],
      },
    ],
  }),
)

const options = (delayMs: number): HostingWeeklyOptions => ({
  db,
  asnOf: asnDb.lookup,
  enqueue: async (notice) => {
    await queue.add('notify', { notice: notice.id }, { jobId: notice.id })
  },
  complaintUrl: 'https://portal.authority.example/#complain',
  timeZone: 'Europe/Rome',
  delayMs,
  contactsFile,
})

async function delivered(id: string): Promise<Notice> {
  for (let i = 0; i < 300; i++) {
    const notice = await getNotice(db, id)
    if (notice && notice.status !== 'pending') return notice
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`notice ${id} still pending`)
}

t.test('within the configured delay after the week, its notices are not sent yet', async (t) => {
  const run = await runHostingWeekly(options(48 * 3600_000), weekEnd + 3600_000)
  t.equal(run.week, '2026-W47', 'the week due is the one before')
  t.same(run.filed, [], 'nothing filed for 2026-W48 yet')
})

t.test(
  'each network announcing an enforced address gets ONE weekly notice listing its addresses, windows and how to complain',
  async (t) => {
    const run = await runHostingWeekly(options(48 * 3600_000), weekEnd + 49 * 3600_000)
    t.equal(run.week, week)
    t.same(
      run.filed.map((n) => [n.party, n.asn, n.kind]).sort(),
      [
        ['hetzner', 24940, 'hosting-weekly'],
        ['ovh', 16276, 'hosting-weekly'],
      ],
      'one notice for OVH (API contact) and one for Hetzner (file contact)',
    )
    t.match(
      run.uncontacted,
      [{ asn: 14061, organisation: /DigitalOcean/ }],
      'DigitalOcean has no contact: reported',
    )
    const ovh = run.filed.find((n) => n.party === 'ovh')!
    t.match(await delivered(ovh.id), { status: 'delivered', receipt: { channel: 'email' } })
    const mail = await smtp.waitFor((m) => m.to.includes('abuse@ovh.example'))
    const body = mail.data.replace(/=\r\n/g, '')
    t.match(body, /Subject: 2 addresses of AS16276 blocked during live events in 2026-W48/)
    t.match(body, /51\.75\.0\.10\/32 \(orders 123\/26\/DDA\)/, 'its first address and the order')
    t.match(body, /51\.75\.0\.11\/32/, 'its second address')
    t.match(body, /2026-11-25T19:30:00\.000Z to 2026-11-25T22:10:00\.000Z, serie-a event m1/, 'the window')
    t.match(body, /https:\/\/portal\.authority\.example\/#complain/, 'how to complain')
    t.notMatch(body, /78\.46\.1\.1|104\.131\.0\.1|203\.0\.113\.7/, "no other network's address")
    const hetzner = run.filed.find((n) => n.party === 'hetzner')!
    await delivered(hetzner.id)
    const other = await smtp.waitFor((m) => m.to.includes('abuse@hetzner.example'))
    t.match(other.data, /78\.46\.1\.1\/32/)
    t.notMatch(other.data, /51\.75\.0\./)
  },
)

t.test(
  'building the same week again files and sends nothing more (idempotent per ASN and week)',
  async (t) => {
    const again = await runHostingWeekly(options(0), weekEnd + 50 * 3600_000, week)
    t.same(again.filed, [], 'nothing filed')
    const notices = (await listNotices(db)).filter((n) => n.kind === 'hosting-weekly')
    t.equal(notices.length, 2, 'still two notices')
    await new Promise((resolve) => setTimeout(resolve, 500))
    t.equal(smtp.mails.length, 2, 'still two mails')
  },
)
