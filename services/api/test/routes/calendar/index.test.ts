import t from 'tap'
import { ADMIN, actors, build } from '../../helper.js'

t.test(
  'competitions and events are stored with their window; moving or cancelling an event is an update',
  async (t) => {
    const api = await build(t)
    const tokens = await actors(api)
    const competition = await api.call(ADMIN, {
      method: 'PUT',
      url: '/v1/competitions/serie-a',
      payload: { name: 'Serie A', timeZone: 'Europe/Rome', preMinutes: 15, postMinutes: 30 },
    })
    t.equal(competition.statusCode, 200, 'competition stored')
    const event = await api.call(tokens.ops, {
      method: 'PUT',
      url: '/v1/events/m1',
      payload: {
        competition: 'serie-a',
        kickoff: '2026-11-29T20:45:00+01:00',
        end: '2026-11-29T22:40:00+01:00',
      },
    })
    t.equal(event.statusCode, 200, `ops may write the calendar: ${event.body}`)
    t.match(
      event.json(),
      {
        id: 'm1',
        status: 'scheduled',
        window: {
          opensAt: '2026-11-29T19:30:00.000Z',
          closesAt: '2026-11-29T22:10:00.000Z',
          week: '2026-W48',
        },
      },
      'the window is kickoff − 15 min to end + 30 min, in the week of kickoff',
    )
    const extended = await api.call(ADMIN, {
      method: 'PUT',
      url: '/v1/events/m1',
      payload: {
        competition: 'serie-a',
        kickoff: '2026-11-29T20:45:00+01:00',
        end: '2026-11-29T23:10:00+01:00',
        postMinutes: 10,
      },
    })
    t.equal(extended.json().window.closesAt, '2026-11-29T22:20:00.000Z', 'extended with its own post minutes')
    const cancelled = await api.call(ADMIN, {
      method: 'PUT',
      url: '/v1/events/m1',
      payload: {
        competition: 'serie-a',
        kickoff: '2026-11-29T20:45:00+01:00',
        end: '2026-11-29T22:40:00+01:00',
        status: 'cancelled',
      },
    })
    t.equal(cancelled.json().window, null, 'a cancelled event opens no window')
    const list = await api.call(tokens.isp, { method: 'GET', url: '/v1/events?competition=serie-a' })
    t.equal(list.json().events.length, 1, 'every role reads the calendar')
    const comps = await api.call(tokens.rightsholder, { method: 'GET', url: '/v1/competitions' })
    t.equal(comps.json().competitions[0].timeZone, 'Europe/Rome', 'competitions are listed')
    t.equal(
      (
        await api.call(tokens.rightsholder, {
          method: 'PUT',
          url: '/v1/competitions/x',
          payload: { name: 'x' },
        })
      ).statusCode,
      403,
      'a rightsholder cannot change the calendar',
    )
    t.equal(
      (
        await api.call(tokens.isp, {
          method: 'PUT',
          url: '/v1/events/m2',
          payload: { competition: 'serie-a', kickoff: '2026-11-29T20:45:00Z', end: '2026-11-29T22:45:00Z' },
        })
      ).statusCode,
      403,
      'an ISP cannot change the calendar',
    )
  },
)

t.test('calendar input is checked field by field', async (t) => {
  const api = await build(t)
  await api.call(ADMIN, { method: 'PUT', url: '/v1/competitions/serie-a', payload: { name: 'Serie A' } })
  const zone = await api.call(ADMIN, {
    method: 'PUT',
    url: '/v1/competitions/x',
    payload: { name: 'x', timeZone: 'Mars/Olympus' },
  })
  t.match(zone.json(), { status: 422, field: 'timeZone' }, 'an unknown zone is refused')
  const season = await api.call(ADMIN, {
    method: 'PUT',
    url: '/v1/competitions/x',
    payload: { name: 'x', seasonStart: '13-45' },
  })
  t.match(season.json(), { status: 422, field: 'seasonStart' }, 'a bad season bound is refused')
  const order = await api.call(ADMIN, {
    method: 'PUT',
    url: '/v1/events/m1',
    payload: { competition: 'serie-a', kickoff: '2026-11-29T22:00:00Z', end: '2026-11-29T21:00:00Z' },
  })
  t.match(order.json(), { status: 422, field: 'end' }, 'an end before kickoff is refused')
  const noComp = await api.call(ADMIN, {
    method: 'PUT',
    url: '/v1/events/m1',
    payload: { competition: 'liga', kickoff: '2026-11-29T20:00:00Z', end: '2026-11-29T22:00:00Z' },
  })
  t.match(noComp.json(), { status: 422, field: 'competition' }, 'an unknown competition is refused')
  const instant = await api.call(ADMIN, {
    method: 'PUT',
    url: '/v1/events/m1',
    payload: { competition: 'serie-a', kickoff: 'tomorrow', end: '2026-11-29T22:00:00Z' },
  })
  t.match(instant.json(), { status: 400, field: 'kickoff' }, 'a kickoff that is not an instant is refused')
  const badId = await api.call(ADMIN, { method: 'PUT', url: '/v1/events/bad%20id', payload: {} })
  t.match(badId.json(), { status: 400, field: 'params.id' }, 'a bad id in the path is refused')
})

t.test('events import from JSON, CSV and iCalendar, all or nothing', async (t) => {
  const api = await build(t)
  await api.call(ADMIN, { method: 'PUT', url: '/v1/competitions/serie-a', payload: { name: 'Serie A' } })
  const json = await api.call(ADMIN, {
    method: 'POST',
    url: '/v1/events:import',
    payload: {
      events: [
        {
          id: 'j1',
          competition: 'serie-a',
          kickoff: '2026-11-29T20:45:00+01:00',
          end: '2026-11-29T22:40:00+01:00',
        },
      ],
    },
  })
  t.equal(json.statusCode, 200, `JSON import: ${json.body}`)
  t.equal(json.json().imported, 1, 'one event imported from JSON')
  const csv = await api.call(ADMIN, {
    method: 'POST',
    url: '/v1/events:import?competition=serie-a',
    headers: { 'content-type': 'text/csv' },
    payload:
      'id,kickoff,end\nc1,2026-11-30T18:00:00+01:00,2026-11-30T19:55:00+01:00\nc2,2026-11-30T20:45:00+01:00,2026-11-30T22:40:00+01:00\n',
  })
  t.equal(csv.statusCode, 200, `CSV import: ${csv.body}`)
  t.equal(csv.json().imported, 2, 'two events imported from CSV')
  const ics = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//EN',
    'BEGIN:VEVENT',
    'UID:i1@example.org',
    'DTSTAMP:20261101T000000Z',
    'DTSTART:20261201T194500Z',
    'DTEND:20261201T214000Z',
    'SUMMARY:Inter - Milan',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n')
  const ical = await api.call(ADMIN, {
    method: 'POST',
    url: '/v1/events:import?competition=serie-a',
    headers: { 'content-type': 'text/calendar' },
    payload: ics,
  })
  t.equal(ical.statusCode, 200, `iCalendar import: ${ical.body}`)
  t.equal(ical.json().imported, 1, 'one event imported from iCalendar')
  const before = (await api.call(ADMIN, { method: 'GET', url: '/v1/events' })).json().events.length
  const bad = await api.call(ADMIN, {
    method: 'POST',
    url: '/v1/events:import?competition=serie-a',
    headers: { 'content-type': 'text/csv' },
    payload:
      'id,kickoff,end\nok1,2026-12-02T18:00:00+01:00,2026-12-02T19:55:00+01:00\nbad1,yesterday,2026-12-02T22:40:00+01:00\n',
  })
  t.match(bad.json(), { status: 422, index: 1, field: 'kickoff' }, 'a bad row is named by index and field')
  const after = (await api.call(ADMIN, { method: 'GET', url: '/v1/events' })).json().events.length
  t.equal(after, before, 'nothing of a refused import is stored')
  const unknown = await api.call(ADMIN, {
    method: 'POST',
    url: '/v1/events:import',
    payload: {
      events: [
        {
          id: 'u1',
          competition: 'liga',
          kickoff: '2026-11-29T20:45:00+01:00',
          end: '2026-11-29T22:40:00+01:00',
        },
      ],
    },
  })
  t.match(
    unknown.json(),
    { status: 422, index: 0, field: 'competition' },
    'an unknown competition refuses the import',
  )
})
