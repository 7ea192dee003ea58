import { createDb, createToken } from '@offside/store'
import { freePort, startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'

const redis = await startRedis(t)
const client = new Redis(redis.url)
t.teardown(() => client.quit())
const db = createDb(client)
const now = Date.now()
const ops = (await createToken(db, { org: 'task-force', role: 'ops', now })).token
const isp = (await createToken(db, { org: 'isp-a', role: 'isp', now })).token
const deadApi = `http://127.0.0.1:${await freePort()}`

const app = await buildApp({
  config: loadConfig({
    OFFSIDE_REDIS_URL: redis.url,
    OFFSIDE_API_URL: deadApi,
    OFFSIDE_ADMIN_TOKEN: 'bootstrap-admin',
  }),
})
t.teardown(() => app.close())
const auth = (token: string) => ({ authorization: `Bearer ${token}` })

t.test('health, readiness and metrics answer without a token', async (t) => {
  t.equal((await app.inject('/healthz')).statusCode, 200, 'healthz is 200')
  t.equal((await app.inject('/readyz')).statusCode, 200, 'ready once Redis answers and the page is built')
  const metrics = await app.inject('/metrics')
  t.match(metrics.body, /offside_dashboard_viewers/, 'metrics expose the number of viewers')
})

t.test('the page and its assets are served by the service itself, with nothing from a CDN', async (t) => {
  const page = await app.inject('/')
  t.equal(page.statusCode, 200, 'the page is served')
  t.match(page.headers['content-type'], /text\/html/, 'as HTML')
  t.notMatch(page.body, /https?:\/\//, 'the page loads nothing from another origin')
  const script = await app.inject('/assets/app.js')
  t.equal(script.statusCode, 200, 'the bundled script is served')
  t.match(script.headers['content-type'], /javascript/, 'as JavaScript')
  t.notMatch(script.body, /https?:\/\/(?!www\.w3\.org)/, 'the script fetches nothing from another origin')
  t.equal((await app.inject('/assets/app.css')).statusCode, 200, 'the styles are served')
  t.equal((await app.inject('/assets/nope.js')).statusCode, 404, 'an unknown asset is 404')
})

t.test('data needs an ops or authority token', async (t) => {
  t.equal((await app.inject('/api/view')).statusCode, 401, 'no token, no data')
  t.equal(
    (await app.inject({ url: '/api/view', headers: auth('ofs_nope') })).statusCode,
    401,
    'unknown token',
  )
  t.equal(
    (await app.inject({ url: '/api/view', headers: auth(isp) })).statusCode,
    401,
    'an ISP token may not watch',
  )
  const session = await app.inject({ url: '/api/session', headers: auth(ops) })
  t.same(session.json(), { org: 'task-force', role: 'ops' }, 'an ops token signs in as ops')
  const admin = await app.inject({ url: '/api/session', headers: auth('bootstrap-admin') })
  t.same(admin.json(), { org: 'authority', role: 'authority' }, 'the bootstrap admin token is the authority')
  const view = await app.inject({ url: '/api/view', headers: auth(ops) })
  t.equal(view.statusCode, 200, 'ops read the view')
  t.equal(view.json().revision, 0, 'before any revision the view is at revision 0')
})

t.test('an action the API cannot take is reported, not pretended', async (t) => {
  const unreachable = await app.inject({
    method: 'POST',
    url: '/api/held/h_1/approve',
    headers: auth(ops),
    payload: {},
  })
  t.equal(unreachable.statusCode, 502, 'the API being down is a 502')
  t.match(unreachable.json().title, /did not answer/, 'the problem says the API did not answer')
  const malformed = await app.inject({
    method: 'POST',
    url: '/api/complaints/c_1/decision',
    headers: auth(ops),
    payload: { outcome: 'maybe', reason: 'x' },
  })
  t.equal(malformed.statusCode, 400, 'a decision with an unknown outcome is refused before reaching the API')
  const forbidden = await app.inject({
    method: 'POST',
    url: '/api/held/h_1/reject',
    headers: auth(isp),
    payload: {},
  })
  t.equal(forbidden.statusCode, 401, 'an ISP token cannot act')
})
