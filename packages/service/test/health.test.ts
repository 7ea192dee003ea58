import Fastify from 'fastify'
import { Registry } from 'prom-client'
import t from 'tap'
import { condition, healthPlugin, metricsPlugin } from '../src/index.js'

t.test('/readyz is ready only while every check passes, and names the one that fails', async (t) => {
  let caughtUp = false
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(healthPlugin, {
    checks: { catchUp: condition(() => caughtUp, 'catching up'), redis: () => 'PONG' },
    timeoutMs: 200,
  })
  t.same((await app.inject('/healthz')).json(), { status: 'ok' }, 'alive from the start')
  const waiting = await app.inject('/readyz')
  t.equal(waiting.statusCode, 503, 'not ready')
  t.same(waiting.json(), { status: 'not ready', reason: 'catchUp: catching up' }, 'the check named')
  caughtUp = true
  t.same((await app.inject('/readyz')).json(), { status: 'ready' }, 'ready once it holds')
})

t.test('a check that does not answer fails /readyz instead of hanging it', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(healthPlugin, { checks: { redis: () => new Promise(() => {}) }, timeoutMs: 100 })
  const res = await app.inject('/readyz')
  t.equal(res.statusCode, 503, 'not ready')
  t.match(res.json().reason, /redis: no answer within 100 ms/, 'says which and why')
})

t.test('/metrics serves the registry and times requests by route when asked', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const registry = new Registry()
  await app.register(metricsPlugin, { registry, requestDuration: 'test_request_duration_seconds' })
  app.get('/hello', async () => 'hi')
  await app.inject('/hello')
  const res = await app.inject('/metrics')
  t.match(res.headers['content-type'], /text\/plain/, 'Prometheus text')
  t.match(
    res.body,
    /test_request_duration_seconds_count\{method="GET",route="\/hello",status="200"\} 1/,
    'timed',
  )
})
