import t from 'tap'
import { importFormat, parseEventsImport } from '../../src/calendar-import/index.js'

t.test('the Content-Type chooses the format, parameters and case ignored', async (t) => {
  t.equal(importFormat('application/json'), 'json', 'JSON')
  t.equal(importFormat('text/csv; charset=utf-8'), 'csv', 'CSV with a charset')
  t.equal(importFormat('Text/Calendar'), 'ical', 'iCalendar, any case')
  t.equal(importFormat('text/plain'), null, 'plain text is not an import format')
})

t.test('an import of an unknown Content-Type is refused naming the header', async (t) => {
  t.match(
    parseEventsImport('application/xml', '<events/>', {}),
    { ok: false, errors: [{ field: 'content-type', reason: /application\/xml/ }] },
    'XML is refused',
  )
})

t.test('the same matchday in JSON, CSV and iCalendar imports as the same events', async (t) => {
  const json = parseEventsImport(
    'application/json',
    JSON.stringify([
      {
        id: 'm1',
        kickoff: '2026-11-29T20:45:00+01:00',
        end: '2026-11-29T22:40:00+01:00',
        title: 'Inter - Milan',
      },
    ]),
    { competition: 'serie-a' },
  )
  const csv = parseEventsImport(
    'text/csv',
    'id,kickoff,end,title\nm1,2026-11-29T20:45:00+01:00,2026-11-29T22:40:00+01:00,Inter - Milan\n',
    { competition: 'serie-a' },
  )
  const ics = parseEventsImport(
    'text/calendar',
    [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//test//EN',
      'BEGIN:VEVENT',
      'UID:m1',
      'DTSTART;TZID=Europe/Rome:20261129T204500',
      'DTEND;TZID=Europe/Rome:20261129T224000',
      'SUMMARY:Inter - Milan',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n'),
    { competition: 'serie-a' },
  )
  t.equal(json.ok, true, 'JSON imports')
  t.same(csv, json, 'CSV gives the same events')
  t.same(ics, json, 'iCalendar gives the same events')
})
