/**
 * The notifier delivers the outbox over real channels: a real SMTP server (smtp-server, its own
 * process) and real HTTP receivers on loopback, one of which fails before it succeeds. Notices
 * are filed and queued as the API files them.
 */
import { createServer, type IncomingMessage } from 'node:http'
import type { Party } from '@offside/core'
import { generateSigningKeyPair, signingKeyFromPem } from '@offside/protocol'
import {
  createDb,
  createQueue,
  fileNotices,
  getNotice,
  type Notice,
  putParty,
  readAudit,
} from '@offside/store'
import { startRedis, startSmtpSink } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import { HEADERS, verifyNotice } from '../src/signature.js'
import { startNotifier } from '../src/worker.js'

const redisServer = await startRedis(t)
const redis = new Redis(redisServer.url)
t.teardown(() => redis.disconnect())
const connection = { redisUrl: redisServer.url, keyPrefix: 'offside:' }
const db = createDb(redis, connection.keyPrefix)
const keys = generateSigningKeyPair()

// The SMTP server, as its own process.
const smtp = await startSmtpSink()
t.teardown(() => smtp.stop())
const mails = smtp.mails

// HTTP receivers: one answers 503 to its first request, one always fails.
const received: { path: string; headers: IncomingMessage['headers']; body: string }[] = []
let flakyCalls = 0
const receiver = createServer((request, response) => {
  let body = ''
  request.on('data', (chunk) => {
    body += chunk
  })
  request.on('end', () => {
    received.push({ path: request.url ?? '', headers: request.headers, body })
    if (request.url === '/flaky' && ++flakyCalls === 1) response.writeHead(503).end('try later')
    else if (request.url === '/broken') response.writeHead(500).end('broken')
    else response.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}')
  })
})
await new Promise<void>((ready) => receiver.listen(0, '127.0.0.1', ready))
t.teardown(() => new Promise((done) => receiver.close(done)))
const address = receiver.address()
const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`

const parties: Party[] = [
  { id: 'isp-a', name: 'ISP A', role: 'isp', channel: { kind: 'email', address: 'pec@isp-a.example' } },
  { id: 'google', name: 'Search', role: 'search-engine', channel: { kind: 'webhook', url: `${base}/flaky` } },
  {
    id: 'iru',
    name: 'Europol IRU',
    role: 'europol-iru',
    channel: { kind: 'webhook', url: `${base}/broken` },
  },
]
for (const party of parties) await putParty(db, party)

const notifier = startNotifier({
  redis,
  connection,
  smtpUrl: smtp.url,
  from: 'Offside <offside@authority.example>',
  signingKey: signingKeyFromPem(keys.privateKeyPem),
})
t.teardown(() => notifier.close())

const queue = createQueue('notify', connection)
t.teardown(() => queue.close())
const notices = await fileNotices(
  db,
  parties.map((party) => ({
    kind: 'order-issued' as const,
    order: 'o1',
    party: party.id,
    subject: 'Blocking order 123/26/DDA issued',
    text: 'Order 123/26/DDA (o1) was issued.\n',
    createdAt: Date.now(),
  })),
)
for (const notice of notices) await queue.add('notify', { notice: notice.id }, { jobId: notice.id })
const noticeOf = (party: string) => notices.find((n) => n.party === party)!

async function settled(id: string, timeoutMs = 30_000): Promise<Notice> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const notice = await getNotice(db, id)
    if (notice && notice.status !== 'pending') return notice
    if (Date.now() > deadline) throw new Error(`notice ${id} still pending: ${JSON.stringify(notice)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const auditActions = async (id: string) =>
  (await readAudit(db, { limit: 1000 })).records
    .filter((r) => r.subject === `notice:${id}`)
    .map((r) => r.action)

t.test('an e-mail notice reaches the SMTP server and keeps its receipt', async (t) => {
  const notice = await settled(noticeOf('isp-a').id)
  t.match(notice, { status: 'delivered', receipt: { channel: 'email', id: /^<.+>$/, response: /^250/ } })
  const mail = mails.find((m) => m.to.includes('pec@isp-a.example'))
  t.ok(mail, 'the SMTP server received it')
  t.match(mail?.data, /Subject: Blocking order 123\/26\/DDA issued/)
  t.match(mail?.data, new RegExp(`X-Offside-Notice: ${notice.id}`))
  t.same(await auditActions(notice.id), ['notice.deliver'], 'the delivery is audited')
})

t.test('a webhook that fails first is retried with backoff and delivered, signed', async (t) => {
  const notice = await settled(noticeOf('google').id)
  t.equal(notice.status, 'delivered')
  t.same(
    notice.attempts.map((a) => [a.ok, a.detail.split(' ')[0]]),
    [
      [false, 'HTTP'],
      [true, 'HTTP'],
    ],
    'one failed attempt, then the delivery',
  )
  t.match(notice.attempts[0]?.detail, /503/)
  t.match(notice.receipt, { channel: 'webhook', response: /^HTTP 200 sha256:[0-9a-f]{64}$/ })
  const delivery = received.filter((r) => r.path === '/flaky').at(-1)!
  const signature = String(delivery.headers[HEADERS.signature])
  const timestamp = String(delivery.headers[HEADERS.timestamp])
  t.ok(
    verifyNotice(delivery.body, timestamp, signature, keys.publicKeyPem),
    'the body verifies with the published key',
  )
  t.notOk(
    verifyNotice(`${delivery.body} `, timestamp, signature, keys.publicKeyPem),
    'a changed body does not',
  )
  t.equal(delivery.headers[HEADERS.keyId], keys.keyId)
  t.match(JSON.parse(delivery.body), { id: notice.id, kind: 'order-issued', order: 'o1' })
  t.same(
    await auditActions(notice.id),
    ['notice.attempt-failed', 'notice.deliver'],
    'failure and delivery audited',
  )
})

t.test('a receiver that always fails leaves a dead letter after the last attempt', async (t) => {
  const notice = await settled(noticeOf('iru').id, 60_000)
  t.equal(notice.status, 'dead')
  t.equal(notice.attempts.length, 5, 'five attempts')
  t.ok(notice.attempts.every((a) => !a.ok))
  const actions = await auditActions(notice.id)
  t.same(actions, [...Array(4).fill('notice.attempt-failed'), 'notice.dead'], 'every failure audited')
})
