// Spans the write routes: with Redis full, writes answer 503 problem+json and change nothing; reads go on.
import t from 'tap'
import { ADMIN, EVIDENCE, withLiveMatch } from '../helper.js'

t.test(
  'with Redis full (maxmemory, noeviction) an upload and a hot addition answer 503 problem+json and write nothing; reads go on; with room again they succeed',
  async (t) => {
    const { api, tokens, week } = await withLiveMatch(t)
    const url = `/v1/lists/sky-it/${week}`
    const small = await api.call(tokens.rightsholder, {
      method: 'PUT',
      url,
      payload: { entries: [{ target: '203.0.113.7' }], evidence: EVIDENCE },
    })
    t.equal(small.statusCode, 200, 'a first list is stored')
    const headBefore = await api.call(ADMIN, { method: 'GET', url: '/v1/audit/verify' })

    await api.redis.config('SET', 'maxmemory-policy', 'noeviction')
    const used = Number(/used_memory:(\d+)/.exec(await api.redis.info('memory'))?.[1])
    await api.redis.config('SET', 'maxmemory', String(used + 64 * 1024))
    t.teardown(() => api.redis.config('SET', 'maxmemory', '0'))

    const entries = Array.from({ length: 20_000 }, (_, i) => ({ target: `2001:db8:1::${i.toString(16)}` }))
    const big = await api.call(tokens.rightsholder, {
      method: 'PUT',
      url,
      payload: { entries, evidence: EVIDENCE },
    })
    t.equal(big.statusCode, 503, 'the upload is refused with 503')
    await api.redis.config('SET', 'maxmemory', String(used))
    t.match(big.headers['content-type'], /application\/problem\+json/, 'as problem+json')
    t.equal(big.json().code, 'OFFSIDE_STORE_FULL', 'saying the store is full')
    // The upload's version blob went in before the limit was hit (then its swap was refused): the
    // store is over the limit now, so any write is refused from the first command.
    const hot = await api.call(tokens.rightsholder, {
      method: 'POST',
      url: `${url}/entries`,
      payload: { entries: [{ target: '203.0.113.99' }], evidence: EVIDENCE },
    })
    t.equal(hot.statusCode, 503, 'a hot addition too')
    t.equal(hot.json().code, 'OFFSIDE_STORE_FULL', 'with the same code')

    const list = await api.call(tokens.ops, { method: 'GET', url: `${url}/entries` })
    t.equal(list.statusCode, 200, 'reads go on')
    t.same(
      list.json().entries.map((e: { target: string }) => e.target),
      ['203.0.113.7'],
      'the list is the one stored before: nothing half-written',
    )
    const headAfter = await api.call(ADMIN, { method: 'GET', url: '/v1/audit/verify' })
    t.same(headAfter.json(), headBefore.json(), 'no audit record of a refused change')

    await api.redis.config('SET', 'maxmemory', '0')
    const again = await api.call(tokens.rightsholder, {
      method: 'PUT',
      url,
      payload: { entries, evidence: EVIDENCE },
    })
    t.equal(again.statusCode, 200, 'with room again the same upload succeeds')
  },
)
