import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProcess } from './child.js'

/** A real redis-server started for one test, on a free loopback port, in a temp folder. */
export interface TestRedis extends TestProcess {
  readonly url: string
  /** The folder holding its AOF: what a restart (or a backup) reads. `stop` removes it. */
  readonly dir: string
  /** Starts the server again on the same port and folder (after `kill`); it loads its AOF. */
  restart(): Promise<void>
}

export interface RedisOptions {
  /** AOF fsync policy (redis default `everysec`; Offside's production setting is `always`). */
  appendfsync?: 'always' | 'everysec' | 'no'
  /** More `redis-server` arguments, e.g. `['--maxmemory', '4mb']`. */
  args?: string[]
}

/** Asks the kernel for a free loopback TCP port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port)
        else reject(new Error('no port'))
      })
    })
  })
}

async function waitForReady(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let seen = ''
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${seen}`)), 10_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited with ${code}: ${seen}`))
    })
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
      if (seen.includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
}

/**
 * Starts `redis-server` (Debian's package) with AOF on, bound to 127.0.0.1.
 * Pass a tap `t` (or anything with `teardown`) to stop it when the test ends.
 */
export async function startRedis(
  t?: { teardown(fn: () => unknown): void },
  options: RedisOptions = {},
): Promise<TestRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'offside-redis-'))
  const argsFor = (port: number) => [
    ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''],
    ...(options.appendfsync ? ['--appendfsync', options.appendfsync] : []),
    ...(options.args ?? []),
  ]
  const launch = async (port: number) => {
    const child = spawn('redis-server', argsFor(port), { stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      await waitForReady(child)
    } catch (err) {
      child.kill('SIGKILL')
      throw err
    }
    child.stdout?.resume()
    return child
  }
  const until = (child: ChildProcess, signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill(signal)
    return exited.then(() => undefined)
  }
  for (let attempt = 0; ; attempt++) {
    const port = await freePort()
    let child: ChildProcess
    try {
      child = await launch(port)
    } catch (err) {
      if (attempt < 3) continue
      throw err
    }
    const redis: TestRedis = {
      port,
      url: `redis://127.0.0.1:${port}`,
      dir,
      async stop() {
        await until(child, 'SIGTERM')
        await rm(dir, { recursive: true, force: true })
      },
      kill: () => until(child, 'SIGKILL'),
      async restart() {
        await until(child, 'SIGKILL')
        child = await launch(port)
      },
    }
    t?.teardown(() => redis.stop())
    return redis
  }
}
