import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { stopChild } from '@offside/testkit'

/** A child process the demo started; its output goes to a log file under .offside/logs. */
export interface Started {
  name: string
  child: ChildProcess
}

const started: Started[] = []
let stopping = false

/** True once {@link stopAll} began: exits from then on are expected. */
export const isStopping = () => stopping

/**
 * Marks the demo as stopping, at once: Ctrl-C reaches every child of the terminal's process group
 * together with the demo, so Redis may exit before {@link stopAll} runs and must not be restarted.
 */
export function beginStopping(): void {
  stopping = true
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; logDir: string; cwd?: string; quietExit?: boolean },
): Started {
  const log = createWriteStream(join(options.logDir, `${name}.log`), { flags: 'a' })
  const child = spawn(command, args, {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.pipe(log)
  child.stderr?.pipe(log)
  const entry = { name, child }
  started.push(entry)
  child.once('exit', (code, signal) => {
    if (!stopping && !options.quietExit)
      console.error(`offside demo: ${name} exited (${signal ?? code}); see .offside/logs/${name}.log`)
  })
  return entry
}

/** Starts a TypeScript entry point from the checkout. */
export function startNodeService(
  name: string,
  entry: string,
  options: { env?: NodeJS.ProcessEnv; logDir: string; args?: string[] },
): Started {
  return startProcess(
    name,
    process.execPath,
    ['--conditions=@offside/source', '--import', 'tsx', entry, ...(options.args ?? [])],
    options,
  )
}

/** Stops every started process, newest first, waiting for each to exit. */
export async function stopAll(): Promise<void> {
  beginStopping()
  // Newest first, but Redis last whenever it was (re)started: the services flush to it on the way out.
  const order = [...started].reverse().sort((a, b) => Number(a.name === 'redis') - Number(b.name === 'redis'))
  for (const { child } of order) await stopChild(child, 5000)
}
