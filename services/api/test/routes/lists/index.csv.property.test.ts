import fc from 'fast-check'
import t from 'tap'
import { actors, build, EVIDENCE, liveMatch } from '../../helper.js'

// The CSV list upload under hostile input: mutations of a valid CSV list (bytes inserted, removed,
// lines doubled or dropped, quotes, separators, a BOM, CRLF, cells replaced). Each is answered 2xx
// or a 4xx problem+json with a code and where it went wrong — never a 5xx — and a refusal writes
// nothing: the audit head, the state generation and the stored list stay as they were.
// OFFSIDE_PROPERTY_RUNS raises the cases for a long run on demand.
const numRuns = Number(process.env.OFFSIDE_PROPERTY_RUNS ?? 30)

const VALID_ROWS = [
  `203.0.113.7,match stream,${EVIDENCE}`,
  `198.51.100.0/24,,${EVIDENCE}`,
  `2001:db8::/48,"quoted, note",${EVIDENCE}`,
  `203.0.113.9,,${EVIDENCE}`,
]

/** One mutation of the valid CSV text. */
const mutation: fc.Arbitrary<(csv: string) => string> = fc.oneof(
  fc.record({ at: fc.nat(), text: fc.string({ maxLength: 8 }) }).map(
    ({ at, text }) =>
      (csv: string) =>
        csv.slice(0, at % (csv.length + 1)) + text + csv.slice(at % (csv.length + 1)),
  ),
  fc.record({ at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }).map(
    ({ at, length }) =>
      (csv: string) =>
        csv.slice(0, at % (csv.length + 1)) + csv.slice((at % (csv.length + 1)) + length),
  ),
  fc
    .record({
      at: fc.nat(),
      char: fc.constantFrom('"', ',', '\n', '\r', '\t', '\u0000', '\uFEFF', ';', '/', ':', '\\'),
    })
    .map(
      ({ at, char }) =>
        (csv: string) =>
          csv.slice(0, at % (csv.length + 1)) + char + csv.slice(at % (csv.length + 1)),
    ),
  fc.nat().map((line) => (csv: string) => {
    const lines = csv.split('\n')
    lines.splice(line % lines.length, 0, lines[line % lines.length] ?? '')
    return lines.join('\n')
  }),
  fc.nat().map(
    (line) => (csv: string) =>
      csv
        .split('\n')
        .filter((_, i) => i !== line % 4)
        .join('\n'),
  ),
  fc
    .record({
      line: fc.nat(),
      cell: fc.nat(2),
      value: fc.oneof(fc.string({ maxLength: 40 }), fc.ipV4(), fc.ipV6(), fc.domain()),
    })
    .map(({ line, cell, value }) => (csv: string) => {
      const lines = csv.split('\n')
      const cells = (lines[line % lines.length] ?? '').split(',')
      cells[cell] = value
      lines[line % lines.length] = cells.join(',')
      return lines.join('\n')
    }),
  fc.constant((csv: string) => `\uFEFF${csv}`),
  fc.constant((csv: string) => csv.replaceAll('\n', '\r\n')),
  fc.constant((csv: string) => `target,note,evidence\n${csv}`),
)

t.test(
  'a mutated CSV list is answered 2xx, or 4xx problem+json naming a code and where, never 5xx; a refusal writes nothing',
  async (t) => {
    const api = await build(t)
    const tokens = await actors(api)
    const { week } = await liveMatch(api)
    const url = `/v1/lists/sky-it/${week}`
    const prefix = api.config.keyPrefix
    const stored = async () => {
      const res = await api.call(tokens.rightsholder, { method: 'GET', url: `${url}/entries` })
      return res.statusCode === 200 ? JSON.stringify(res.json().entries) : String(res.statusCode)
    }
    const marks = async () =>
      JSON.stringify([
        await api.redis.get(`${prefix}audit:head`),
        await api.redis.get(`${prefix}state-generation`),
        await stored(),
      ])

    const failures: string[] = []
    let refused = 0
    let accepted = 0
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        const csv = mutations.reduce((text, mutate) => mutate(text), `${VALID_ROWS.join('\n')}\n`)
        const before = await marks()
        const res = await api.call(tokens.rightsholder, {
          method: 'PUT',
          url,
          headers: { 'content-type': 'text/csv' },
          payload: csv,
        })
        const what = `${JSON.stringify(csv).slice(0, 160)} → ${res.statusCode} ${res.body.slice(0, 160)}`
        if (res.statusCode >= 500) failures.push(`5xx: ${what}`)
        else if (res.statusCode >= 400) {
          refused++
          const body = res.json()
          const isProblem = res.headers['content-type']?.toString().includes('application/problem+json')
          if (!isProblem || typeof body.code !== 'string') failures.push(`no problem+json code: ${what}`)
          const where = body.field ?? body.index ?? body.errors?.[0]?.index ?? body.errors?.[0]?.field
          if (
            res.statusCode !== 413 &&
            res.statusCode !== 415 &&
            where === undefined &&
            typeof body.reason !== 'string'
          )
            failures.push(`no field, index or reason: ${what}`)
          if ((await marks()) !== before) failures.push(`refused but wrote: ${what}`)
        } else {
          accepted++
          const entries = await stored()
          const answer = res.json()
          const count = entries.startsWith('[') ? JSON.parse(entries).length : -1
          if (count < answer.accepted)
            failures.push(`answered ${answer.accepted} accepted, stored ${count}: ${what}`)
        }
        return res.statusCode < 500
      }),
      { numRuns },
    )
    t.comment(`${numRuns} mutated CSV lists: ${accepted} accepted, ${refused} refused`)
    t.same(failures, [], 'no 5xx; every refusal a problem+json with a code and where; none wrote')
    t.ok(refused > 0 && accepted > 0, 'the mutations reach both answers')
  },
)
