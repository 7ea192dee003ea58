/**
 * The simulated agents of a match-day run: `count` real agents spread over `workers` forked
 * processes (agents-worker.ts), each process with its own libuv thread pool of `threadpool`
 * threads, their state folders under `stateRoot`. Every wait is bounded.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { Timing as RevisionTiming, Work, WorkerRequest } from './agents-worker.js'

export interface FleetOptions {
  gateway: string
  token: string
  publicKeyFile: string
  stateRoot: string
  count: number
  workers: number
  heartbeatMs: number
  /** UV_THREADPOOL_SIZE of each worker process (its file system calls run on that pool). */
  threadpool: number
  /** Extra node flags (e.g. --cpu-prof). */
  execArgv?: string[]
  /** How long a worker may take to start its agents. */
  startTimeoutMs?: number
}

export interface Fleet {
  /** The revision timings the agents recorded since the last call. */
  timings(): Promise<RevisionTiming[]>
  /** utime + stime of the worker processes, in seconds. */
  cpuSeconds(): number
  /** Stops every agent (each closes its journal), then the processes; bounded. */
  stop(): Promise<void>
}

/** The next message from `child` that has `key`, or a rejection after `timeoutMs`. */
function reply<T>(child: ChildProcess, key: string, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (message: Record<string, unknown>) => {
      if ('failed' in message) finish(() => reject(new Error(`agent worker: ${String(message.failed)}`)))
      else if (key in message) finish(() => resolve(message as T))
    }
    const onExit = (code: number | null) =>
      finish(() => reject(new Error(`agent worker exited (${code}) before answering ${key}`)))
    const timer = setTimeout(
      () => finish(() => reject(new Error(`agent worker: no ${key} in ${timeoutMs} ms`))),
      timeoutMs,
    )
    const finish = (settle: () => void) => {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
      settle()
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

const ask = (child: ChildProcess, request: WorkerRequest) => child.connected && child.send(request)

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const children: ChildProcess[] = []
  const perWorker = Math.ceil(options.count / options.workers)
  const entry = new URL('./agents-worker.ts', import.meta.url).pathname
  const fleet: Fleet = {
    async timings() {
      const replies = await Promise.all(
        children.map((child) => {
          const answer = reply<{ timings: RevisionTiming[] }>(child, 'timings', 30_000)
          ask(child, { timings: true })
          return answer.catch(() => ({ timings: [] }))
        }),
      )
      return replies.flatMap((answer) => answer.timings)
    },
    cpuSeconds() {
      let total = 0
      for (const child of children) {
        try {
          const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
          total += (Number(fields[11]) + Number(fields[12])) / 100
        } catch {
          return Number.NaN // a process already gone
        }
      }
      return total
    },
    async stop() {
      await Promise.all(
        children.map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null) return
          const exited = new Promise((done) => child.once('exit', done))
          const stopped = reply(child, 'stopped', 15_000).catch(() => undefined)
          ask(child, { stop: true })
          await stopped
          child.kill('SIGKILL')
          await exited
        }),
      )
    },
  }
  try {
    // Every process starts its agents at once, as N machines would connect.
    const starting: Promise<unknown>[] = []
    for (let w = 0; w < options.workers; w++) {
      const first = w * perWorker
      const count = Math.min(perWorker, options.count - first)
      if (count <= 0) break
      const child = fork(entry, [], {
        execArgv: ['--conditions=@offside/source', '--import', 'tsx', ...(options.execArgv ?? [])],
        env: { ...process.env, UV_THREADPOOL_SIZE: String(options.threadpool) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
      children.push(child)
      starting.push(reply(child, 'started', options.startTimeoutMs ?? 120_000 + 500 * count))
      const work: Work = {
        gateway: options.gateway,
        token: options.token,
        publicKeyFile: options.publicKeyFile,
        stateRoot: options.stateRoot,
        first,
        count,
        heartbeatMs: options.heartbeatMs,
      }
      ask(child, { start: work })
    }
    await Promise.all(starting)
  } catch (err) {
    await fleet.stop()
    throw err
  }
  return fleet
}
