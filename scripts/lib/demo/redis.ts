import type { ChildProcess } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { freePort, type ProcessGroup, redisDataArgs } from '@offside/testkit'

/** Waits for redis-server to say it is ready; fails if it exits first. */
function ready(redis: ChildProcess): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let seen = ''
    const onExit = () => reject(new Error(`redis-server failed: ${seen}`))
    redis.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
      if (seen.includes('Ready to accept connections')) {
        redis.off('exit', onExit)
        resolve()
      }
    })
    redis.once('exit', onExit)
  })
}

const RESTART_DELAYS_MS = [200, 500, 1000, 2000, 5000]

/**
 * Starts the demo's Redis (AOF in `<stateDir>/redis`) and supervises it: if it dies while the
 * demo runs, it is started again on the same port and folder, so the services (which reconnect by
 * themselves) carry on with the data it had. Gives up after a few quick failures in a row.
 */
export async function startSupervisedRedis(
  group: ProcessGroup,
  stateDir: string,
  logDir: string,
  /** More redis-server arguments, e.g. `--aclfile FILE`. */
  extraArgs: string[] = [],
): Promise<string> {
  const dir = join(stateDir, 'redis')
  await mkdir(dir, { recursive: true })
  const port = await freePort()
  const args = [...redisDataArgs(port, dir), ...extraArgs]
  let failures = 0
  const launch = async (): Promise<void> => {
    // Stopped after the services (they flush to it on their way out); its exits are reported below.
    const redis = group.spawn('redis', 'redis-server', args, {
      env: process.env,
      logFile: join(logDir, 'redis.log'),
      stopLast: true,
      quietExit: true,
    })
    await ready(redis)
    const startedAt = Date.now()
    redis.once('exit', (code, signal) => {
      if (group.isStopping()) return
      // A Redis that ran a while starts a new streak; quick deaths in a row end in giving up.
      failures = Date.now() - startedAt > 30_000 ? 1 : failures + 1
      const delay = RESTART_DELAYS_MS[failures - 1]
      if (delay === undefined) {
        console.error(
          `offside demo: redis exited (${signal ?? code}) ${failures} times in a row; not restarting`,
        )
        return
      }
      console.error(`offside demo: redis exited (${signal ?? code}); restarting it in ${delay} ms`)
      setTimeout(() => {
        if (!group.isStopping())
          launch().catch((err) => console.error(`offside demo: ${(err as Error).message}`))
      }, delay)
    })
  }
  await launch()
  return `redis://127.0.0.1:${port}`
}
