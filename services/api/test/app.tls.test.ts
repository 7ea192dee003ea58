import { request } from 'node:https'
import { makeTestPki, startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { testConfig } from '../src/config.js'

t.test('given a certificate and key the API serves HTTPS', async (t) => {
  const pki = await makeTestPki(t)
  const server = await startRedis(t)
  const redis = new Redis(server.url)
  const app = await buildApp({
    config: testConfig({ redisUrl: server.url, tls: { certFile: pki.files.cert, keyFile: pki.files.key } }),
    redis,
    logger: false,
  })
  t.teardown(async () => {
    await app.close()
    redis.disconnect()
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const get = (ca?: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/healthz', ...(ca ? { ca } : {}) }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end()
    })
  t.equal(await get(pki.ca), 200, 'a client trusting the CA is served')
  await t.rejects(get(), /self.signed|unable to verify|certificate/i, 'a client not trusting it refuses')
})
