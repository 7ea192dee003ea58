import { createConnection } from 'node:net'
import t from 'tap'
import { startRedis } from '../src/index.js'

function ping(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write('PING\r\n'))
    socket.once('data', (data) => {
      resolve(data.toString())
      socket.end()
    })
    socket.once('error', reject)
  })
}

t.test('a started redis answers PING and is gone after stop', async (t) => {
  const redis = await startRedis()
  t.equal(await ping(redis.port), '+PONG\r\n', 'redis answers on its port')
  await redis.stop()
  await t.rejects(ping(redis.port), 'nothing listens after stop')
})
