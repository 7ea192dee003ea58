import { type ChildProcessByStdio, spawn } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { applyScript, NftError, type NftTarget, runNft } from './nft.js'

/**
 * A long-lived `nft -i` that takes small transactions, so a hot addition does not pay for
 * starting `nft` (and `ip netns exec`): 1 ms instead of 13–50 ms on a 2-core machine
 * (bench/agent/revision-cost.ts). Each script is sent as one line of `;`-separated commands,
 * which nft runs as one batch — atomic, like `nft -f -`. Its standard error is merged into its
 * output, so the answer to a line is everything printed before the marker that the following
 * `describe` prints: nothing when the batch went in, `Error: …` when it was refused.
 *
 * nft reads interactive lines through its line editor, which slows down with the length of a
 * line (≈ 175 ms for 37 KB, ≈ 2 s for 750 KB with nftables 1.0.6), so scripts above
 * {@link SESSION_MAX_BYTES} go to a fresh `nft -f -` instead: a list's 100k elements cost what
 * the kernel costs, a 1-entry patch what a pipe round trip costs.
 */
export const SESSION_MAX_BYTES = 8 * 1024

/**
 * A command that needs no kernel call; what this nft prints for it (learnt once from a one-shot
 * `nft`, since the wording may change between nftables releases) marks the end of an answer.
 */
const MARKER_COMMAND = ['describe', 'ip', 'length']
/** A batch that takes longer than this is taken as a hung nft: killed, and the batch refused. */
const ANSWER_TIMEOUT_MS = 30_000

/** `nft -i` with its standard error merged into its output by the shell (stderr unused). */
type Session = ChildProcessByStdio<Writable, Readable, null>

interface Waiting {
  resolve: (output: string) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

export class NftSession {
  readonly #target: NftTarget
  #child: Session | undefined
  /** What `nft describe ip length` prints here; learnt before the first batch. */
  #marker: string | undefined
  #output = ''
  #waiting: Waiting | undefined
  /** Batches run one at a time, in order. */
  #queue: Promise<unknown> = Promise.resolve()

  constructor(target: NftTarget) {
    this.#target = target
  }

  /** Applies `lines` as one atomic transaction, through the session when the script is small. */
  apply(lines: string[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve()
    const line = lines.join(' ; ')
    if (Buffer.byteLength(line) > SESSION_MAX_BYTES || line.includes('\n'))
      return this.#serial(() => applyScript(this.#target, lines))
    return this.#serial(async () => {
      this.#marker ??= await runNft(this.#target, MARKER_COMMAND)
      const output = await this.#ask(line, this.#marker)
      if (/^Error:/m.test(output)) {
        const first = output.split('\n').slice(0, 3).join(' | ').slice(0, 500)
        throw new NftError(`nft refused the transaction: ${first}`, output)
      }
    })
  }

  /** Ends the `nft -i` process (what it programmed stays in the kernel). */
  close(): Promise<void> {
    return this.#serial(async () => {
      const child = this.#child
      this.#child = undefined
      if (!child || child.exitCode !== null) return
      const exited = new Promise((done) => child.once('close', done))
      child.stdin.end()
      const timer = setTimeout(() => child.kill('SIGKILL'), 2_000)
      await exited
      clearTimeout(timer)
    })
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work)
    this.#queue = next.catch(() => undefined)
    return next
  }

  #ask(line: string, marker: string): Promise<string> {
    const child = this.#running(marker)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(new NftError(`nft -i gave no answer within ${ANSWER_TIMEOUT_MS} ms`, ''))
        child.kill('SIGKILL')
      }, ANSWER_TIMEOUT_MS)
      this.#waiting = { resolve, reject, timer }
      hold(child, true)
      child.stdin.write(`${line}\n${MARKER_COMMAND.join(' ')}\n`)
    })
  }

  #running(marker: string): Session {
    if (this.#child && this.#child.exitCode === null && !this.#child.killed) return this.#child
    const args = ['-c', 'exec nft -i 2>&1']
    const [file, argv] = this.#target.netns
      ? ['ip', ['netns', 'exec', this.#target.netns, 'sh', ...args]]
      : ['sh', args]
    // TZ=UTC: nft prints and parses dates in the local zone; we only ever pass epoch seconds.
    const child = spawn(file, argv, { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, TZ: 'UTC' } })
    this.#output = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      this.#output += chunk
      if (!this.#output.endsWith(marker)) return
      const answer = this.#output.slice(0, -marker.length)
      this.#output = ''
      const waiting = this.#waiting
      this.#waiting = undefined
      hold(child, false)
      if (waiting) {
        clearTimeout(waiting.timer)
        waiting.resolve(answer)
      }
    })
    child.stdin.on('error', () => undefined) // an exit is reported by 'close'
    child.on('error', (err) => this.#fail(err))
    child.on('close', (code) => {
      if (this.#child === child) this.#child = undefined
      this.#fail(new NftError(`nft -i exited with ${code}: ${this.#output.slice(0, 500)}`, this.#output))
    })
    hold(child, false)
    this.#child = child
    return child
  }

  #fail(err: Error): void {
    const waiting = this.#waiting
    this.#waiting = undefined
    if (!waiting) return
    clearTimeout(waiting.timer)
    waiting.reject(err)
  }
}

/**
 * An idle session must not keep the process alive (a backend nobody closed, in a test or a CLI
 * run), but one waiting for an answer must, or the process could exit under the awaited batch.
 */
function hold(child: Session, waiting: boolean): void {
  for (const handle of [child, child.stdin, child.stdout] as Array<{
    ref(): void
    unref(): void
  }>)
    if (waiting) handle.ref()
    else handle.unref()
}
