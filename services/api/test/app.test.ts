import t from 'tap'
import { ADMIN, build, expectProblem } from './helper.js'

t.test('health, readiness and metrics answer without a token', async (t) => {
  const api = await build(t)
  const health = await api.call(null, { method: 'GET', url: '/healthz' })
  t.equal(health.statusCode, 200, 'healthz is 200')
  const ready = await api.call(null, { method: 'GET', url: '/readyz' })
  t.same(ready.json(), { status: 'ready' }, 'readyz says ready while Redis answers')
  await api.call(null, { method: 'GET', url: '/healthz' })
  const metrics = await api.call(null, { method: 'GET', url: '/metrics' })
  t.equal(metrics.statusCode, 200, 'metrics is 200')
  t.match(metrics.headers['content-type'], /text\/plain/, 'metrics is Prometheus text')
  t.match(
    metrics.body,
    /offside_api_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\}/,
    'requests are counted by route',
  )
})

t.test('readiness fails with 503 when Redis is gone', async (t) => {
  const api = await build(t)
  await api.redis.quit()
  const ready = await api.call(null, { method: 'GET', url: '/readyz' })
  t.equal(ready.statusCode, 503, 'readyz is 503 without Redis')
})

t.test('the OpenAPI document is generated from the route schemas and lists every SPEC path', async (t) => {
  const api = await build(t)
  const docs = await api.call(null, { method: 'GET', url: '/docs/json' })
  t.equal(docs.statusCode, 200, 'the document is served without a token')
  const paths = Object.keys(docs.json().paths)
  for (const path of [
    '/v1/orgs',
    '/v1/tokens',
    '/v1/competitions/{id}',
    '/v1/events/{id}',
    '/v1/events:import',
    '/v1/orders/{id}',
    '/v1/orders/{id}/suspend',
    '/v1/orders/{id}/resume',
    '/v1/lists/{rightsholder}/{week}',
    '/v1/lists/{rightsholder}/{week}/entries',
    '/v1/guard/held',
    '/v1/guard/held/{id}/approve',
    '/v1/guard/held/{id}/reject',
    '/v1/guard/protected',
    '/v1/complaints',
    '/v1/complaints/{id}/decision',
    '/v1/state',
    '/v1/state/entries',
    '/v1/agents',
    '/v1/reports/compliance',
    '/v1/audit',
    '/v1/audit/verify',
    '/v1/public/lookup',
    '/healthz',
    '/readyz',
  ]) {
    t.ok(paths.includes(path), `${path} is documented`)
  }
  const ui = await api.call(null, { method: 'GET', url: '/docs/' })
  t.equal(ui.statusCode, 200, 'Swagger UI is served at /docs')
})

t.test('an unknown route answers a problem+json 404', async (t) => {
  const api = await build(t)
  const response = await api.call(ADMIN, { method: 'GET', url: '/v1/nothing-here' })
  expectProblem(t, response, 404, 'OFFSIDE_NO_ROUTE', 'status 404')
  t.match(response.headers['content-type'], /application\/problem\+json/, 'problem+json')
  t.match(
    response.json(),
    { status: 404, title: 'Not Found', type: String, detail: /nothing-here/ },
    'names the path',
  )
})
