/**
 * What Redis's AOF fsync policy costs per write: a transaction the size of a 200k-entry upload's
 * version blob (6 MiB) and a small one (a hot addition, a decision), under `everysec` and under
 * `always` (Offside's production setting, docs/operations.md "Durability and faults").
 * Run: node --conditions=@offside/source --import tsx bench/api/fsync.ts
 */
import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'

const blob = 'x'.repeat(6 * 2 ** 20)
for (const appendfsync of ['everysec', 'always'] as const) {
  const server = await startRedis(undefined, { appendfsync })
  const redis = new Redis(server.url)
  const times: number[] = []
  for (let i = 0; i < 9; i++) {
    const began = performance.now()
    await redis.multi().set(`k${i}`, blob).set('small', String(i)).exec()
    times.push(performance.now() - began)
  }
  const small: number[] = []
  for (let i = 0; i < 50; i++) {
    const began = performance.now()
    await redis.multi().hset('h', String(i), 'v').incr('c').exec()
    small.push(performance.now() - began)
  }
  times.sort((a, b) => a - b)
  small.sort((a, b) => a - b)
  console.log(
    `${appendfsync}: 6 MiB transaction median ${times[4]?.toFixed(1)} ms; small transaction median ${small[25]?.toFixed(2)} ms`,
  )
  redis.disconnect()
  await server.stop()
}
