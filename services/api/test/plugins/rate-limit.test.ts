import t from 'tap'
import { rateLimitKey } from '../../src/plugins/rate-limit.js'
import { build } from '../helper.js'

t.test('an IPv6 client counts by its /64, an IPv4 client by its address', async (t) => {
  t.equal(rateLimitKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64')
  t.equal(rateLimitKey('2001:db8:1:2:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64', 'the same /64')
  t.not(rateLimitKey('2001:db8:1:3::1'), rateLimitKey('2001:db8:1:2::1'), 'the next /64 is someone else')
  t.equal(rateLimitKey('::ffff:203.0.113.7'), '203.0.113.7', 'an IPv4-mapped address is its IPv4 client')
  t.equal(rateLimitKey('203.0.113.7'), '203.0.113.7')
})

t.test('hopping addresses inside one /64 does not buy a public client more look-ups', async (t) => {
  const api = await build(t, { publicRateLimit: 3 })
  const lookup = (remoteAddress: string) =>
    api.app.inject({ method: 'GET', url: '/v1/public/lookup?target=203.0.113.7', remoteAddress })
  const codes: number[] = []
  for (let i = 1; i <= 4; i++) codes.push((await lookup(`2001:db8:1:2::${i.toString(16)}`)).statusCode)
  t.same(codes, [200, 200, 200, 429], 'the fourth address of the /64 is over the limit')
  t.equal((await lookup('2001:db8:1:3::1')).statusCode, 200, 'another /64 has its own budget')
})
