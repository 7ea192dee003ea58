import { readFileSync } from 'node:fs'
import t from 'tap'
import { parseEventsImport } from '../../src/calendar-import/index.js'

const fixture = readFileSync(new URL('./fixtures/serie-a-w48.csv', import.meta.url), 'utf8')
const at = (iso: string) => Date.parse(iso)
const importCsv = (body: string, options = {}) => parseEventsImport('text/csv', body, options)

t.test(
  'a CSV matchday imports with the caller competition, quoted cells and empty optional cells',
  async (t) => {
    const result = parseEventsImport('text/csv; charset=utf-8', fixture, { competition: 'serie-a' })
    t.same(
      result,
      {
        ok: true,
        events: [
          {
            id: '2026-27-serie-a-13-inter-milan',
            competition: 'serie-a',
            kickoff: at('2026-11-29T19:45:00Z'),
            end: at('2026-11-29T21:40:00Z'),
            status: 'scheduled',
            title: 'Inter - Milan, derby',
          },
          {
            id: '2026-27-serie-a-13-roma-lazio',
            competition: 'serie-a',
            kickoff: at('2026-11-29T17:00:00Z'),
            end: at('2026-11-29T18:55:00Z'),
            preMinutes: 30,
            postMinutes: 45,
            status: 'scheduled',
            title: 'Roma - Lazio',
          },
          {
            id: '2026-27-serie-a-13-napoli-juventus',
            competition: 'serie-a',
            kickoff: at('2026-11-28T19:45:00Z'),
            end: at('2026-11-28T21:40:00Z'),
            status: 'postponed',
          },
        ],
      },
      'BOM and blank line ignored, columns in any order',
    )
  },
)

t.test('a CSV header must name known columns, once, including the required ones', async (t) => {
  t.match(
    importCsv('id,kick_off,end\nm1,2026-11-29T20:45:00+01:00,2026-11-29T22:40:00+01:00\n'),
    {
      ok: false,
      errors: [
        { field: 'header', reason: /unknown column "kick_off"/ },
        { field: 'header', reason: /"competition" is required/ },
        { field: 'header', reason: /"kickoff" is required/ },
      ],
    },
    'a misspelt column is named, and so are the missing ones',
  )
  t.match(
    importCsv('id,id,kickoff,end\n', { competition: 'serie-a' }),
    { ok: false, errors: [{ field: 'header', reason: /twice/ }] },
    'a repeated column',
  )
  t.match(importCsv(''), { ok: false, errors: [{ field: 'body', reason: /empty/ }] }, 'an empty file')
  t.match(
    importCsv('id,competition,kickoff,end\n'),
    { ok: false, errors: [{ field: 'body', reason: /no events/ }] },
    'a header and no rows',
  )
})

t.test('one malformed CSV row refuses the whole import', async (t) => {
  const body = [
    'id,competition,kickoff,end,preMinutes,status',
    'm1,serie-a,2026-11-29T20:45:00+01:00,2026-11-29T22:40:00+01:00,15,live',
    'm2,serie-a,2026-11-29T20:45:00+01:00,2026-11-29T22:40:00+01:00,fifteen,',
    'm3,serie-a,29/11/2026 20:45,2026-11-29T22:40:00+01:00,,',
    'm4,serie-a,2026-11-29T20:45:00+01:00',
  ].join('\n')
  const result = importCsv(body)
  t.match(
    result,
    {
      ok: false,
      errors: [
        { index: 1, field: 'preMinutes', reason: /whole number/ },
        { index: 2, field: 'kickoff', reason: /ISO 8601/ },
        { index: 3, field: 'row', reason: /3 cells but the header has 6/ },
      ],
    },
    'each bad row is named by its index among the data rows',
  )
})

t.test('CSV that does not parse is refused with the parser reason', async (t) => {
  t.match(
    importCsv(
      'id,competition,kickoff,end\n"m1,serie-a,2026-11-29T20:45:00+01:00,2026-11-29T22:40:00+01:00\n',
    ),
    { ok: false, errors: [{ field: 'body', reason: /not valid CSV/ }] },
    'an unclosed quote',
  )
})
