/**
 * Reports for the law: the prosecutor's signed export (PDL 1357 art. 3.6) and the ISP's annual
 * analytic report (art. 5.4) as JSON, CSV and a real PDF, all from the compliance data.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inflateSync } from 'node:zlib'
import { generateSigningKeyPair, trustedKeysFromPem, verifyReport } from '@offside/protocol'
import {
  agentConnected,
  createDb,
  type Db,
  listNotices,
  recordAck,
  recordAttempt,
  recordRevisionReference,
} from '@offside/store'
import { PDFArray, PDFDocument, PDFName, type PDFRawStream, type PDFStream } from 'pdf-lib'
import t from 'tap'
import { ADMIN, actors, build, liveMatch } from '../../helper.js'

const keys = generateSigningKeyPair()
const dir = await mkdtemp(join(tmpdir(), 'offside-reports-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
const keyFile = join(dir, 'report-key.pem')
await writeFile(keyFile, keys.privateKeyPem)
const trusted = trustedKeysFromPem([keys.publicKeyPem])

/** Two ISPs' agents acknowledging four revisions: isp-a on time twice and late once, isp-b once. */
async function seedAcks(db: Db, base: number) {
  for (const [revision, at] of [
    [1, base],
    [2, base + 10_000],
    [3, base + 20_000],
    [4, base + 30_000],
  ] as const)
    await recordRevisionReference(db, { revision, kind: 'hot-addition', issuedAt: at, reference: at })
  for (const [isp, agentId] of [
    ['isp-a', 'edge-1'],
    ['isp-b', 'edge-9'],
  ] as const)
    await agentConnected(db, {
      isp,
      agentId,
      capabilities: ['backend:nftables'],
      lastRevision: 0,
      gateway: 'gw',
      now: base - 1,
      ttlMs: 60_000,
    })
  const ack = (
    isp: string,
    agentId: string,
    revision: number,
    receivedAt: number,
    enforced: number,
    refused = 0,
  ) =>
    recordAck(
      db,
      { isp, agentId },
      {
        revision,
        receivedAt,
        appliedAt: receivedAt,
        enforced,
        staged: 0,
        notFitting: 0,
        refused,
        source: 'ack',
      },
      refused > 0
        ? [{ reason: 'never-block', group: 'w:m1', prefix: '198.51.100.0/28', count: refused }]
        : [],
    )
  await ack('isp-a', 'edge-1', 1, base + 200, 40)
  await ack('isp-a', 'edge-1', 2, base + 10_300, 49)
  await ack('isp-a', 'edge-1', 3, base + 28_000, 45, 3)
  await ack('isp-b', 'edge-9', 3, base + 21_000, 12)
}

t.test(
  "the prosecutor's export holds every order, whom it was notified, each delivery and the ISPs' acks, signed",
  async (t) => {
    const api = await build(t, { reportSigningKeyFile: keyFile })
    await actors(api)
    const db = createDb(api.redis, api.config.keyPrefix)
    const from = new Date(Date.now() - 3600_000).toISOString()
    await api.call(ADMIN, {
      method: 'PUT',
      url: '/v1/parties/isp-a',
      payload: { name: 'ISP A', role: 'isp', channel: { kind: 'email', address: 'pec@isp-a.example' } },
    })
    await liveMatch(api)
    const [notice] = await listNotices(db, { order: 'o1' })
    // Delivered as the notifier records it.
    await recordAttempt(
      db,
      notice!.id,
      { at: Date.now(), ok: true, detail: '250 OK queued' },
      {
        status: 'delivered',
        receipt: { at: Date.now(), channel: 'email', id: '<m1@isp-a.example>', response: '250 OK queued' },
      },
    )
    await seedAcks(db, Date.now() - 60_000)
    const to = new Date(Date.now() + 60_000).toISOString()
    const res = await api.call(ADMIN, { method: 'GET', url: `/v1/reports/prosecutor?from=${from}&to=${to}` })
    t.equal(res.statusCode, 200)
    t.same(verifyReport(res.body, trusted), { ok: true, keyId: keys.keyId }, 'verifies with the report key')
    const { bundle } = res.json()
    t.match(bundle.orders, [
      {
        id: 'o1',
        notifications: [
          {
            kind: 'order-issued',
            party: { id: 'isp-a', role: 'isp', channel: { address: 'pec@isp-a.example' } },
            status: 'delivered',
            receipt: { id: '<m1@isp-a.example>', response: '250 OK queued' },
          },
        ],
      },
    ])
    t.match(bundle.acknowledgements.summary, [
      { isp: 'isp-a', onTime: 2, late: 1 },
      { isp: 'isp-b', onTime: 1 },
    ])
    t.ok(
      bundle.acknowledgements.rows.some(
        (row: { isp: string; revision: number }) => row.isp === 'isp-b' && row.revision === 3,
      ),
    )

    const edited = res.body.replace('250 OK queued', '550 rejected')
    t.not(edited, res.body)
    t.match(verifyReport(edited, trusted), { ok: false, reason: /edited/ }, 'an edited receipt fails')
    t.match(
      verifyReport(JSON.stringify(JSON.parse(res.body)), trusted),
      { ok: true },
      're-indenting does not matter',
    )
    const other = trustedKeysFromPem([generateSigningKeyPair().publicKeyPem])
    t.match(verifyReport(res.body, other), { ok: false, reason: /not a trusted key/ })

    const backwards = await api.call(ADMIN, {
      method: 'GET',
      url: `/v1/reports/prosecutor?from=${to}&to=${from}`,
    })
    t.equal(backwards.statusCode, 422)
    t.match(backwards.json(), { code: 'OFFSIDE_INVALID_INPUT', field: 'from' })
  },
)

t.test('without a configured report key the export is refused, naming the setting', async (t) => {
  const api = await build(t)
  const res = await api.call(ADMIN, {
    method: 'GET',
    url: '/v1/reports/prosecutor?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z',
  })
  t.equal(res.statusCode, 409)
  t.match(res.json(), {
    code: 'OFFSIDE_CONFLICT',
    field: 'OFFSIDE_REPORT_SIGNING_KEY_FILE',
    reason: 'not-configured',
  })
  const isp = (await actors(api)).isp
  const asIsp = await api.call(isp, {
    method: 'GET',
    url: '/v1/reports/prosecutor?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z',
  })
  t.equal(asIsp.statusCode, 403, 'an ISP may not read it')
})

/** Every string a page draws (pdf-lib writes standard-font text as hex strings in the content stream). */
function pageTexts(pdf: PDFDocument): string[][] {
  return pdf.getPages().map((page) => {
    const contents = page.node.get(PDFName.of('Contents'))
    const refs = contents instanceof PDFArray ? contents.asArray() : [contents]
    let text = ''
    for (const ref of refs) {
      const stream = pdf.context.lookup(ref) as PDFStream
      const raw = (stream as PDFRawStream).contents
      const filter = stream.dict.get(PDFName.of('Filter'))
      text += Buffer.from(filter === PDFName.of('FlateDecode') ? inflateSync(raw) : raw).toString('latin1')
    }
    return [...text.matchAll(/<([0-9A-Fa-f]*)> Tj/g)].map((m) => Buffer.from(m[1]!, 'hex').toString('latin1'))
  })
}

t.test(
  "the ISP's annual report has the compliance report's figures, as JSON, CSV and a real PDF",
  async (t) => {
    const api = await build(t)
    const tokens = await actors(api)
    const db = createDb(api.redis, api.config.keyPrefix)
    await seedAcks(db, Date.now() - 60_000)
    const year = new Date().getUTCFullYear()
    const compliance = (
      await api.call(ADMIN, {
        method: 'GET',
        url: `/v1/reports/compliance?from=${year}-01-01T00:00:00Z&to=${year + 1}-01-01T00:00:00Z`,
      })
    ).json()
    const json = await api.call(ADMIN, { method: 'GET', url: `/v1/reports/isp-annual?year=${year}` })
    t.equal(json.statusCode, 200)
    const isps = json.json().isps as Record<string, unknown>[]
    for (const summary of compliance.summary as Record<string, unknown>[]) {
      t.match(
        isps.find((row) => row.isp === summary.isp),
        {
          revisions: summary.expected,
          onTime: summary.onTime,
          late: summary.late,
          missing: summary.missing,
          refused: summary.refused,
        },
        `${summary.isp}: the compliance report's figures`,
      )
    }
    t.match(
      isps.find((row) => row.isp === 'isp-a'),
      {
        refusalsByReason: { 'never-block': 3 },
        peakEnforcedPrefixes: 49,
      },
    )

    const csv = await api.call(ADMIN, {
      method: 'GET',
      url: `/v1/reports/isp-annual?year=${year}&format=csv`,
    })
    t.match(csv.headers['content-type'], /text\/csv/)
    const [header, ...lines] = csv.body.trim().split('\r\n')
    const columns = header!.split(',')
    const rows = lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i], cell])))
    const a = rows.find((row) => row.isp === 'isp-a')!
    const summaryA = (compliance.summary as Record<string, number | string>[]).find((s) => s.isp === 'isp-a')!
    t.same(
      [a.revisions, a.onTime, a.late, a.missing, a.refused].map(Number),
      [summaryA.expected, summaryA.onTime, summaryA.late, summaryA.missing, summaryA.refused],
      'CSV figures match the compliance report',
    )
    t.equal(a.refusalsByReason, 'never-block=3')

    const own = await api.call(tokens.isp, {
      method: 'GET',
      url: `/v1/reports/isp-annual?year=${year}&format=pdf`,
    })
    t.equal(own.statusCode, 200)
    t.equal(own.headers['content-type'], 'application/pdf')
    t.equal(own.rawPayload.subarray(0, 5).toString(), '%PDF-', 'a PDF file')
    const pdf = await PDFDocument.load(own.rawPayload)
    t.equal(pdf.getTitle(), `Offside annual analytic report ${year}`)
    const pages = pageTexts(pdf)
    t.equal(pages.length, 1, "an ISP's token gets its own page only")
    const text = pages[0]!.join('\n')
    t.match(text, /ISP: isp-a/)
    t.match(text, new RegExp(`Revisions received: ${summaryA.expected}`))
    t.match(text, new RegExp(`Applied on time: ${summaryA.onTime}`))
    t.match(text, new RegExp(`Applied late: ${summaryA.late}`))
    t.match(text, /refused \(never-block\): 3/)
    t.match(text, /Most prefixes enforced at once: 49/)
    t.notMatch(text, /isp-b/, "never another ISP's figures")
    const forbidden = await api.call(tokens.isp, {
      method: 'GET',
      url: `/v1/reports/isp-annual?year=${year}&isp=isp-b`,
    })
    t.equal(forbidden.statusCode, 403)
    const bad = await api.call(ADMIN, { method: 'GET', url: '/v1/reports/isp-annual?year=19' })
    t.equal(bad.statusCode, 400)
  },
)
