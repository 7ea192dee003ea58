import type { ChildProcess } from 'node:child_process'

/** A process a test started on a loopback port: stopped cleanly at the end, or killed as a crash. */
export interface TestProcess {
  readonly port: number
  /** SIGTERM, a clean shutdown (then SIGKILL after a grace); resolves once it has exited. */
  stop(): Promise<void>
  /** SIGKILL: it dies at once, with no chance to flush anything; resolves once it is gone. */
  kill(): Promise<void>
}

/**
 * Stops a child process: SIGTERM, then SIGKILL if it has not exited after `graceMs`. Resolves
 * once it has exited (at once when it already had).
 */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

/**
 * Resolves once the child prints `marker` on stdout; rejects, naming `what` and everything the
 * child printed, if it exits first or stays silent for 10 s.
 */
export function untilPrinted(child: ChildProcess, marker: string, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${output}`)), 10_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes(marker)) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${what} exited with ${code}: ${output}`))
    })
  })
}
