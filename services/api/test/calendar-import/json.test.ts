import { readFileSync } from 'node:fs'
import t from 'tap'
import { parseEventsImport, readJsonEvents } from '../../src/calendar-import/index.js'

const fixture = readFileSync(new URL('./fixtures/serie-a-w48.json', import.meta.url), 'utf8')
const at = (iso: string) => Date.parse(iso)
const good = {
  id: 'm1',
  competition: 'serie-a',
  kickoff: '2026-11-29T20:45:00+01:00',
  end: '2026-11-29T22:40:00+01:00',
}
const importJson = (value: unknown, options = {}) =>
  parseEventsImport('application/json', JSON.stringify(value), options)

t.test('a JSON matchday imports as events with instants, margins, status and title', async (t) => {
  const result = parseEventsImport('application/json; charset=utf-8', fixture, {})
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
          title: 'Inter - Milan',
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
    'every event, defaults applied, no undefined members',
  )
})

t.test('the events may also come wrapped as {"events": [...]} and take the caller competition', async (t) => {
  const { competition: _, ...withoutCompetition } = good
  const result = importJson({ events: [withoutCompetition] }, { competition: 'coppa-italia' })
  t.match(
    result,
    { ok: true, events: [{ id: 'm1', competition: 'coppa-italia' }] },
    'the caller competition fills in',
  )
  const own = importJson([good], { competition: 'coppa-italia' })
  t.match(own, { ok: true, events: [{ competition: 'serie-a' }] }, "a row's own competition wins")
  t.equal(own.ok && own.events.length, 1, 'one row, one event')
})

t.test('one malformed row refuses the whole import and every error names its row and field', async (t) => {
  const result = importJson([
    good,
    { ...good, id: 'm2', kickoff: '2026-11-29T20:45:00' },
    { ...good, id: 'bad id!', end: '2026-11-29T20:00:00+01:00' },
    { ...good, id: 'm4', preMinutes: -5, postMinutes: 241, status: 'finished' },
    { ...good, id: 'm5', preMinutes: 10.5, kickof: 'typo' },
    { ...good, id: 'm1' },
    'not an object',
  ])
  t.equal(result.ok, false, 'nothing is imported')
  if (result.ok) return
  t.same(
    result.errors.map((e) => [e.index, e.field]),
    [
      [1, 'kickoff'],
      [2, 'id'],
      [2, 'end'],
      [3, 'preMinutes'],
      [3, 'postMinutes'],
      [3, 'status'],
      [4, 'kickof'],
      [4, 'preMinutes'],
      [6, 'event'],
      [5, 'id'],
    ],
    'each problem is reported, in row order, duplicates last',
  )
  t.match(result.errors[0]?.reason, /offset/, 'a kickoff without offset is refused because it has none')
  t.match(result.errors[2]?.reason, /after kickoff/, 'end before kickoff')
  t.match(result.errors[5]?.reason, /scheduled, live, postponed, cancelled/, 'the four statuses are listed')
  t.match(result.errors[9]?.reason, /index 0/, 'a duplicate id names the first use')
})

t.test('instants must exist and an event may not span more than a day', async (t) => {
  const result = importJson([
    { ...good, kickoff: '2026-02-30T20:45:00+01:00', end: '2026-02-30T22:40:00+01:00' },
    { ...good, id: 'm2', end: '2026-12-29T22:40:00+01:00' },
  ])
  t.match(
    result,
    {
      ok: false,
      errors: [
        { index: 0, field: 'kickoff' },
        { index: 0, field: 'end' },
        { index: 1, field: 'end', reason: /24 hours/ },
      ],
    },
    '30 February does not exist; a month-long match is a typo',
  )
})

t.test('a body that is not a JSON list of events is refused as a whole', async (t) => {
  t.match(
    parseEventsImport('application/json', '[{', {}),
    { ok: false, errors: [{ field: 'body' }] },
    'bad JSON',
  )
  t.match(
    readJsonEvents({ id: 'm1' }, {}),
    { ok: false, errors: [{ field: 'body' }] },
    'an object, not a list',
  )
  t.match(
    readJsonEvents([], {}),
    { ok: false, errors: [{ field: 'body', reason: /no events/ }] },
    'an empty list',
  )
  t.match(
    readJsonEvents([{ ...good, competition: undefined }], {}),
    { ok: false, errors: [{ index: 0, field: 'competition', reason: /required/ }] },
    'no competition anywhere',
  )
})
