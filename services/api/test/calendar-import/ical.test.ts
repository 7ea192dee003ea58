import { readFileSync } from 'node:fs'
import t from 'tap'
import { idFromUid } from '../../src/calendar-import/ical.js'
import { parseEventsImport } from '../../src/calendar-import/index.js'

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
const at = (iso: string) => Date.parse(iso)
const importIcs = (body: string, options = {}) => parseEventsImport('text/calendar', body, options)
const calendar = (...lines: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n')
const vevent = (...lines: string[]) => ['BEGIN:VEVENT', ...lines, 'END:VEVENT'].join('\r\n')

t.test('an iCalendar matchday over the spring DST change imports with the right offsets', async (t) => {
  const result = importIcs(fixture('serie-a-dst.ics'))
  t.equal(result.ok, true, 'the calendar imports')
  if (!result.ok) return
  t.same(
    result.events[0],
    {
      id: '2025-26-serie-a-30-atalanta-bologna',
      competition: 'serie-a',
      kickoff: at('2026-03-28T20:45:00+01:00'),
      end: at('2026-03-28T22:40:00+01:00'),
      status: 'scheduled',
      title: 'Atalanta - Bologna',
    },
    'Saturday evening is still CET (+01:00)',
  )
  t.same(
    result.events[1],
    {
      id: idFromUid('20260329-1230-torino-genoa@legaseriea.it'),
      competition: 'serie-a',
      kickoff: at('2026-03-29T12:30:00+02:00'),
      end: at('2026-03-29T14:25:00+02:00'),
      preMinutes: 20,
      postMinutes: 60,
      status: 'scheduled',
      title: 'Torino - Genoa, lunch match',
    },
    'Sunday lunchtime is already CEST (+02:00); Offside margins are read; the text is unescaped',
  )
  t.match(
    result.events[2],
    { kickoff: at('2026-03-29T13:00:00Z'), end: at('2026-03-29T14:55:00Z') },
    'a UTC start with a DURATION',
  )
  t.match(
    result.events[3],
    { kickoff: at('2026-03-29T18:00:00+02:00') },
    'a floating time is read in X-WR-TIMEZONE',
  )
  t.match(result.events[4], { status: 'cancelled' }, 'STATUS:CANCELLED cancels')
  t.match(
    result.events[5],
    { competition: 'coppa-italia', status: 'live', kickoff: at('2026-04-01T21:00:00+02:00') },
    'the event competition and status override the calendar',
  )
})

t.test('a UID that is not a valid id becomes a stable id, the same on every import', async (t) => {
  const id = idFromUid('20260329-1230-torino-genoa@legaseriea.it')
  t.match(id, /^ics-[0-9a-f]{32}$/, 'a hashed id')
  t.equal(idFromUid('20260329-1230-torino-genoa@legaseriea.it'), id, 'deterministic')
  t.not(idFromUid('20260329-1230-torino-genoa@legaseriea.com'), id, 'another UID, another id')
  t.equal(idFromUid('m1'), 'm1', 'a valid UID is kept')
})

t.test(
  'an Outlook calendar with a Windows zone name uses its VTIMEZONE across the autumn change',
  async (t) => {
    const result = importIcs(fixture('outlook.ics'), { competition: 'serie-a' })
    t.match(
      result,
      {
        ok: true,
        events: [
          {
            kickoff: at('2026-10-24T20:45:00+02:00'),
            end: at('2026-10-24T22:40:00+02:00'),
            title: 'Juventus - Inter',
          },
          {
            kickoff: at('2026-10-25T20:45:00+01:00'),
            end: at('2026-10-25T22:40:00+01:00'),
            title: 'Lazio - Napoli',
          },
        ],
      },
      'Saturday CEST, Sunday CET',
    )
  },
)

t.test(
  'an Outlook calendar whose VTIMEZONE has an empty DTSTART is refused by field, not thrown',
  async (t) => {
    const broken = fixture('outlook.ics').replace(/(BEGIN:STANDARD\r?\n)DTSTART:[^\r\n]*/, '$1DTSTART:')
    t.not(broken, fixture('outlook.ics'), 'the fixture was broken')
    const result = importIcs(broken, { competition: 'serie-a' })
    t.equal(result.ok, false, 'refused')
    if (!result.ok) {
      t.match(result.errors[0], { index: 0, field: 'kickoff', reason: /W\. Europe Standard Time.*malformed/ })
    }
  },
)

t.test('a TZID given as an IANA name needs no VTIMEZONE', async (t) => {
  const body = calendar(
    vevent(
      'UID:m1',
      'DTSTART;TZID=America/New_York:20261129T130000',
      'DTEND;TZID=America/New_York:20261129T150000',
    ),
  )
  t.match(
    importIcs(body, { competition: 'mls' }),
    { ok: true, events: [{ kickoff: at('2026-11-29T18:00:00Z') }] },
    'EST',
  )
})

t.test('one malformed VEVENT refuses the whole calendar, naming the event and field', async (t) => {
  const body = calendar(
    vevent('UID:ok', 'DTSTART:20261129T194500Z', 'DTEND:20261129T214000Z'),
    vevent('UID:floating', 'DTSTART:20261129T204500', 'DTEND:20261129T224000'),
    vevent('UID:all-day', 'DTSTART;VALUE=DATE:20261129', 'DTEND;VALUE=DATE:20261130'),
    vevent(
      'UID:mars',
      'DTSTART;TZID=Mars/Olympus:20261129T204500',
      'DTEND;TZID=Mars/Olympus:20261129T224000',
    ),
    vevent('UID:weekly', 'DTSTART:20261129T194500Z', 'DTEND:20261129T214000Z', 'RRULE:FREQ=WEEKLY;COUNT=4'),
    vevent('UID:no-end', 'DTSTART:20261129T194500Z'),
    vevent('DTSTART:20261129T194500Z', 'DTEND:20261129T214000Z'),
    vevent(
      'UID:backwards',
      'DTSTART:20261129T194500Z',
      'DTEND:20261129T184500Z',
      'X-OFFSIDE-PRE-MINUTES:300',
    ),
    vevent('UID:ok', 'DTSTART:20261129T194500Z', 'DTEND:20261129T214000Z'),
  )
  const result = importIcs(body, { competition: 'serie-a' })
  t.equal(result.ok, false, 'nothing is imported')
  if (result.ok) return
  t.same(
    result.errors.map((e) => [e.index, e.field]),
    [
      [1, 'kickoff'],
      [1, 'end'],
      [2, 'kickoff'],
      [2, 'end'],
      [3, 'kickoff'],
      [3, 'end'],
      [4, 'kickoff'],
      [5, 'end'],
      [6, 'id'],
      [7, 'end'],
      [7, 'preMinutes'],
      [8, 'id'],
    ],
    'every problem, by event index',
  )
  const reasons = result.errors.map((e) => e.reason).join('\n')
  t.match(reasons, /floating time/, 'floating time explained')
  t.match(reasons, /date with no time/, 'all-day explained')
  t.match(reasons, /unknown time zone "Mars\/Olympus"/, 'unknown zone named')
  t.match(reasons, /recurring/, 'recurrence explained')
  t.match(reasons, /DTEND or DURATION/, 'missing end explained')
})

t.test('a calendar with no competition anywhere is refused per event', async (t) => {
  const body = calendar(vevent('UID:m1', 'DTSTART:20261129T194500Z', 'DTEND:20261129T214000Z'))
  t.match(
    importIcs(body),
    { ok: false, errors: [{ index: 0, field: 'competition' }] },
    'competition required',
  )
})

t.test('a body that is not an iCalendar file is refused as a whole', async (t) => {
  t.match(
    importIcs('hello'),
    { ok: false, errors: [{ field: 'body', reason: /not an iCalendar/ }] },
    'plain text',
  )
  t.match(
    importIcs(vevent('UID:m1', 'DTSTART:20261129T194500Z')),
    { ok: false, errors: [{ field: 'body', reason: /VCALENDAR/ }] },
    'a bare VEVENT',
  )
  t.match(
    importIcs(calendar()),
    { ok: false, errors: [{ field: 'body', reason: /no VEVENT/ }] },
    'an empty calendar',
  )
})
