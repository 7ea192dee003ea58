import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { createMetrics } from '../src/metrics.js'

t.test('the scheduler reports ready only after its catch-up, and serves its metrics', async (t) => {
  const server = await startRedis(t)
  const redis = new Redis(server.url, { maxRetriesPerRequest: 0 })
  redis.on('error', () => undefined)
  t.teardown(() => redis.quit())
  let ready = false
  const app = await buildApp({ redis, metrics: createMetrics(), isReady: () => ready })
  t.teardown(() => app.close())

  t.equal((await app.inject('/healthz')).statusCode, 200, 'alive from the start')
  t.equal((await app.inject('/readyz')).statusCode, 503, 'not ready while catching up')
  ready = true
  t.equal((await app.inject('/readyz')).statusCode, 200, 'ready once the workers take jobs')
  const metrics = await app.inject('/metrics')
  t.match(metrics.body, /offside_scheduler_revisions_total/, 'exposes the revision counter')
  await server.stop()
  t.equal((await app.inject('/readyz')).statusCode, 503, 'not ready when Redis is gone')
})
