import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { stopChild } from './child.js'
import { freePort } from './redis.js'

/** One message the sink accepted: the envelope and the raw message (headers and body). */
export interface SinkMail {
  from: string | null
  to: string[]
  data: string
}

/** A real SMTP server (npm smtp-server) in its own process on a free loopback port. */
export interface SmtpSink {
  readonly port: number
  /** `smtp://127.0.0.1:<port>`, what OFFSIDE_SMTP_URL takes. */
  readonly url: string
  /** Every message accepted so far, in order. */
  readonly mails: readonly SinkMail[]
  /** Resolves with the first message matching, waiting at most `timeoutMs`. */
  waitFor(match: (mail: SinkMail) => boolean, timeoutMs?: number): Promise<SinkMail>
  stop(): Promise<void>
}

/**
 * The sink's entry point, for a caller that runs it itself (the demo keeps it among its
 * processes): `node --import tsx <script> <port>` from the sources, plain node from a build.
 */
export const SMTP_SINK_SCRIPT = (() => {
  const ts = fileURLToPath(new URL('./smtp-sink-process.ts', import.meta.url))
  return existsSync(ts) ? ts : fileURLToPath(new URL('./smtp-sink-process.js', import.meta.url))
})()

/** Starts the sink and resolves once it listens; `t.teardown(sink.stop)` stops it. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const port = await freePort()
  const args = SMTP_SINK_SCRIPT.endsWith('.ts') ? ['--import', 'tsx'] : []
  const child = spawn(process.execPath, [...args, SMTP_SINK_SCRIPT, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const mails: SinkMail[] = []
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error('the SMTP sink did not start within 20 s')), 20_000)
    child.once('exit', (code) => fail(new Error(`the SMTP sink exited with ${code}`)))
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'ready') {
        clearTimeout(timer)
        ready()
      } else mails.push(JSON.parse(line) as SinkMail)
    })
  })
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    mails,
    async waitFor(match, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const mail = mails.find(match)
        if (mail) return mail
        if (Date.now() > deadline) throw new Error(`no matching mail within ${timeoutMs} ms`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    },
    stop: () => stopChild(child, 5000),
  }
}
