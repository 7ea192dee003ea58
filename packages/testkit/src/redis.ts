import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A real redis-server started for one test, on a free loopback port, in a temp folder. */
export interface TestRedis {
  readonly port: number
  readonly url: string
  stop(): Promise<void>
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
export async function startRedis(t?: { teardown(fn: () => unknown): void }): Promise<TestRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'offside-redis-'))
  for (let attempt = 0; ; attempt++) {
    const port = await freePort()
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    try {
      await waitForReady(child)
    } catch (err) {
      child.kill('SIGKILL')
      if (attempt < 3) continue
      throw err
    }
    const stop = async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      await rm(dir, { recursive: true, force: true })
    }
    t?.teardown(stop)
    return { port, url: `redis://127.0.0.1:${port}`, stop }
  }
}
