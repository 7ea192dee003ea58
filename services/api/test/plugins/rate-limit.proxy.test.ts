import t from 'tap'
import { loadConfig } from '../../src/config.js'
import { build, type TestApi } from '../helper.js'

/** Three public look-ups from `client`, as a proxy on loopback forwards them; their statuses. */
async function lookups(api: TestApi, client: string): Promise<number[]> {
  const statuses: number[] = []
  for (let i = 0; i < 3; i++) {
    const res = await api.call(null, {
      method: 'GET',
      url: '/v1/public/lookup?target=203.0.113.7',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': client },
    })
    statuses.push(res.statusCode)
  }
  return statuses
}

t.test('behind a trusted proxy, two forwarded clients are rate-limited separately', async (t) => {
  const api = await build(t, { publicRateLimit: 2, trustProxy: ['127.0.0.1'] })
  t.same(await lookups(api, '198.51.100.1'), [200, 200, 429], 'the first client uses up its own budget')
  t.same(await lookups(api, '198.51.100.2'), [200, 200, 429], 'the second client still has a full budget')
})

t.test('without OFFSIDE_TRUST_PROXY every client behind the proxy shares its budget', async (t) => {
  const api = await build(t, { publicRateLimit: 2 })
  t.same(await lookups(api, '198.51.100.1'), [200, 200, 429], 'the first client uses up the budget')
  t.same(await lookups(api, '198.51.100.2'), [429, 429, 429], 'the second is counted as the proxy too')
})

t.test('OFFSIDE_TRUST_PROXY accepts true, false or proxy addresses and refuses anything else', async (t) => {
  const env = { OFFSIDE_ADMIN_TOKEN: 'test-admin-token-0123456789' }
  t.equal(loadConfig(env).trustProxy, false, 'off by default')
  t.equal(loadConfig({ ...env, OFFSIDE_TRUST_PROXY: 'true' }).trustProxy, true, 'true trusts every hop')
  t.same(
    loadConfig({ ...env, OFFSIDE_TRUST_PROXY: '192.0.2.5, 2001:db8::/32' }).trustProxy,
    ['192.0.2.5', '2001:db8::/32'],
    'a comma list of addresses and CIDRs',
  )
  t.throws(
    () => loadConfig({ ...env, OFFSIDE_TRUST_PROXY: 'proxy.example' }),
    /OFFSIDE_TRUST_PROXY/,
    'a host name is refused, naming the variable',
  )
})
