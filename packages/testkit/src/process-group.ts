/**
 * The processes one launcher started (a test's stack, the demo), supervised together: each one's
 * output is appended to its log file, an exit nobody asked for is reported, and `stop()` stops
 * them all, the ones marked `stopLast` (Redis: the services flush to it on their way out) after
 * the others. Not tied to tap: the demo has no `t`.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { stopChild } from './child.js'

export interface ProcessGroupOptions {
  /** Told when a process exits while the group is not stopping (the demo prints where its log is). */
  onUnexpectedExit?: (name: string, how: string) => void
  /** How long a process may take to exit after SIGTERM before it is killed (default 5 s). */
  graceMs?: number
}

export interface SpawnOptions {
  env: NodeJS.ProcessEnv
  /** Where stdout and stderr are appended. */
  logFile: string
  cwd?: string
  /** Stopped after every other process of the group (Redis). */
  stopLast?: boolean
  /** Its exit is expected (a supervisor restarts it and reports that itself). */
  quietExit?: boolean
}

export interface ProcessGroup {
  /** Spawns `command` with its output appended to `logFile`, and watches it. */
  spawn(name: string, command: string, args: string[], options: SpawnOptions): ChildProcess
  /** True once stopping began: exits from then on are expected, and nothing is restarted. */
  isStopping(): boolean
  /**
   * Marks the group as stopping, at once: Ctrl-C reaches every child of a terminal's process
   * group together with the launcher, so a child may exit before `stop()` runs.
   */
  beginStopping(): void
  /** Stops every process still running (SIGTERM, then SIGKILL after the grace), `stopLast` ones last. */
  stop(): Promise<void>
}

export function createProcessGroup(options: ProcessGroupOptions = {}): ProcessGroup {
  const graceMs = options.graceMs ?? 5000
  const started: { child: ChildProcess; stopLast: boolean }[] = []
  let stopping = false
  return {
    spawn(name, command, args, spawnOptions) {
      const log = createWriteStream(spawnOptions.logFile, { flags: 'a' })
      const child = spawn(command, args, {
        env: spawnOptions.env,
        cwd: spawnOptions.cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      child.stdout?.pipe(log)
      child.stderr?.pipe(log)
      started.push({ child, stopLast: spawnOptions.stopLast ?? false })
      child.once('exit', (code, signal) => {
        if (!stopping && !spawnOptions.quietExit) options.onUnexpectedExit?.(name, String(signal ?? code))
      })
      return child
    },
    isStopping: () => stopping,
    beginStopping() {
      stopping = true
    },
    async stop() {
      stopping = true
      const first = started.filter((entry) => !entry.stopLast)
      await Promise.all(first.map((entry) => stopChild(entry.child, graceMs)))
      for (const entry of started.filter((entry) => entry.stopLast)) await stopChild(entry.child, graceMs)
    },
  }
}
