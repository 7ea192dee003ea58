import type { ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import type { TestProcess } from './child.js'
import { createProcessGroup, type ProcessGroup } from './process-group.js'

/** A service process started by a test, a benchmark or the demo (`stop` grants it 5 s). */
export interface ServiceProcess extends TestProcess {
  readonly name: string
  readonly child: ChildProcess
}

export interface ServiceProcessOptions {
  name: string
  /**
   * Absolute path of the entry point: a `.ts` source (`<root>/services/api/src/server.ts`) runs
   * with tsx and the `@offside/source` condition; a built `.js` (`services/api/dist/server.js`)
   * runs with plain `node`, as in production.
   */
  entry: string
  args?: string[]
  /** Node's own options before the entry (e.g. `--cpu-prof` for a benchmark's profile). */
  execArgv?: string[]
  env: NodeJS.ProcessEnv
  /** Where the process's stdout and stderr are appended. */
  logFile: string
  /** The port it listens on and the path that answers 2xx once it is ready. */
  port: number
  readyPath: string
  timeoutMs?: number
  /** The launcher's group, which reports an exit nobody asked for and stops it with the rest. */
  group?: ProcessGroup
}

/** Polls `url` until it answers 2xx; fails early, naming the process, if the process exits first. */
export async function waitForHttp(url: string, child: ChildProcess, name: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`)
    const ok = await fetch(url).then(
      (res) => res.ok,
      () => false,
    )
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${name} did not become ready at ${url}`)
}

/** Node's arguments for an entry: sources need tsx and the source condition, builds nothing. */
export function nodeArgs(entry: string): string[] {
  if (!entry.endsWith('.ts')) return [entry]
  return ['--conditions=@offside/source', '--import', import.meta.resolve('tsx'), entry]
}

/**
 * Spawns node on the entry (see {@link ServiceProcessOptions.entry}) and waits until it is ready.
 * The caller stops it (tests in teardown, benchmarks in `close`).
 */
export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const group = options.group ?? createProcessGroup()
  const child = group.spawn(
    options.name,
    process.execPath,
    [...(options.execArgv ?? []), ...nodeArgs(options.entry), ...(options.args ?? [])],
    { env: options.env, logFile: options.logFile },
  )
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill(sig)
    const force = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(force)
  }
  const service: ServiceProcess = {
    name: options.name,
    child,
    port: options.port,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  }
  try {
    await waitForHttp(
      `http://127.0.0.1:${options.port}${options.readyPath}`,
      child,
      options.name,
      options.timeoutMs,
    )
  } catch (err) {
    await service.kill()
    // The end of its log usually says why (a bad setting, a port taken).
    const tail = await readFile(options.logFile, 'utf8').then(
      (text) => text.slice(-2000),
      () => '',
    )
    throw new Error(`${(err as Error).message}\n${tail}`)
  }
  return service
}
