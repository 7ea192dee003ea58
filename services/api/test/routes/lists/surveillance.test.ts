import t from 'tap'
import { ADMIN, actors, build, EVIDENCE, expectProblem, liveMatch } from '../../helper.js'

t.test(
  'last week’s entries no longer listed are under surveillance, shown to the authority and their rightsholder only',
  async (t) => {
    const api = await build(t)
    const tokens = await actors(api)
    await liveMatch(api)
    const upload = (week: string, targets: string[]) =>
      api.call(tokens.rightsholder, {
        method: 'PUT',
        url: `/v1/lists/sky-it/${week}`,
        payload: { entries: targets.map((target) => ({ target })), evidence: EVIDENCE },
      })
    t.equal((await upload('2026-W40', ['203.0.113.7', '203.0.113.8', '198.51.100.0/24'])).statusCode, 200)
    t.equal((await upload('2026-W41', ['203.0.113.7', '198.51.100.0/25'])).statusCode, 200)

    const read = (token: string, week = '2026-W41', rightsholder = 'sky-it') =>
      api.call(token, { method: 'GET', url: `/v1/lists/${rightsholder}/${week}/surveillance` })
    const own = await read(tokens.rightsholder)
    t.equal(own.statusCode, 200)
    t.same(own.json(), {
      rightsholder: 'sky-it',
      week: '2026-W41',
      previousWeek: '2026-W40',
      total: 2,
      entries: ['203.0.113.8', '198.51.100.128/25'],
    })
    t.same((await read(ADMIN)).json().entries, own.json().entries, 'the authority sees the same')
    t.equal(
      (await upload('2026-W43', ['203.0.113.7', 'stream.pirate.example', 'a.live.example', 'b.live.example']))
        .statusCode,
      200,
    )
    t.equal((await upload('2026-W44', ['203.0.113.7', 'a.live.example'])).statusCode, 200)
    t.same(
      (await read(tokens.rightsholder, '2026-W44')).json().entries,
      ['stream.pirate.example', 'b.live.example'],
      'names dropped from the list are under surveillance, a name still listed is not',
    )
    t.same((await read(tokens.ops)).json().total, 2, 'and ops')
    expectProblem(t, await read(tokens.other), 403, 'OFFSIDE_FORBIDDEN', 'another rightsholder does not')
    expectProblem(t, await read(tokens.isp), 403, 'OFFSIDE_FORBIDDEN', 'nor an ISP')
    t.same(
      (await read(ADMIN, '2026-W40')).json().total,
      0,
      'a week after no list has nothing under surveillance',
    )
    const bad = await read(ADMIN, '2026-W99')
    expectProblem(t, bad, 422, 'OFFSIDE_INVALID_INPUT', 'refused')
    t.match(bad.json(), { field: 'week' })
  },
)
