import { freePort } from '@offside/testkit'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'

t.test('when the API does not answer, the portal says so with 503 and is not ready', async (t) => {
  // A free port nobody listens on: connections are refused at once.
  const config = loadConfig({ OFFSIDE_API_URL: `http://127.0.0.1:${await freePort()}` })
  const app = await buildApp({ config, logger: false })
  t.teardown(() => app.close())
  for (const url of ['/', '/feed.atom', '/transparency.json', '/lookup?target=203.0.113.7']) {
    const response = await app.inject({ method: 'GET', url })
    t.equal(response.statusCode, 503, `${url} answers 503`)
  }
  t.match((await app.inject({ method: 'GET', url: '/' })).body, /unavailable/)
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503, 'not ready')
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'but alive')
})

t.test('a bad setting is refused at start-up naming the variable', async (t) => {
  t.throws(() => loadConfig({ OFFSIDE_API_URL: 'ftp://x.example' }), /OFFSIDE_API_URL must match .*http/)
  t.throws(
    () => loadConfig({ OFFSIDE_PORTAL_PORT: '70000' }),
    /OFFSIDE_PORTAL_PORT must be <= 65535, got "70000"/,
  )
})
