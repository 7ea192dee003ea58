/**
 * The notifier's worker (SPEC rule 15): takes notices off the `notify` queue and delivers each,
 * with BullMQ's retries and exponential backoff (store queues.ts: 5 attempts). Every attempt is
 * recorded on the notice and in the audit; the last failed attempt makes it a dead letter the
 * authority sees (GET /v1/notices?status=dead).
 */
import type { SigningKey } from '@offside/protocol'
import {
  appendAudit,
  createDb,
  createWorker,
  type ErrorLog,
  getNotice,
  getParty,
  recordAttempt,
} from '@offside/store'
import type { Redis } from 'ioredis'
import { createDeliverer, type Receipt } from './deliver.js'

export interface NotifierOptions {
  redis: Redis
  connection: { redisUrl: string; keyPrefix: string }
  smtpUrl: string
  from: string
  signingKey: SigningKey
  timeoutMs?: number
  concurrency?: number
  log?: ErrorLog
}

export interface Notifier {
  close(): Promise<void>
}

export function startNotifier(options: NotifierOptions): Notifier {
  const db = createDb(options.redis, options.connection.keyPrefix)
  const deliverer = createDeliverer({
    smtpUrl: options.smtpUrl,
    from: options.from,
    signingKey: options.signingKey,
    timeoutMs: options.timeoutMs ?? 10_000,
  })
  const audit = (action: string, notice: string, details: object) =>
    appendAudit(db, { at: Date.now(), actor: null, action, subject: `notice:${notice}`, details })

  const worker = createWorker(
    'notify',
    async (job) => {
      const notice = await getNotice(db, job.data.notice)
      if (notice?.status !== 'pending') return
      const party = (await getParty(db, notice.party)) ?? notice.contact ?? null
      const attempt = job.attemptsMade + 1
      const last = attempt >= (job.opts.attempts ?? 1)
      let receipt: Receipt
      try {
        if (!party) throw new Error(`no party "${notice.party}"`)
        receipt = await deliverer.deliver(notice, party)
      } catch (err) {
        const detail = (err as Error).message
        // Audited first: once the notice shows the attempt, the audit already has it.
        await audit(last ? 'notice.dead' : 'notice.attempt-failed', notice.id, {
          party: notice.party,
          attempt,
          detail,
        })
        await recordAttempt(
          db,
          notice.id,
          { at: Date.now(), ok: false, detail },
          { status: last ? 'dead' : 'pending' },
        )
        // Thrown, so BullMQ retries with backoff; after the last attempt the notice is a dead letter.
        throw err
      }
      await audit('notice.deliver', notice.id, {
        party: notice.party,
        channel: receipt.channel,
        attempt,
        receipt: receipt.response,
        id: receipt.id ?? null,
      })
      await recordAttempt(
        db,
        notice.id,
        { at: receipt.at, ok: true, detail: receipt.response },
        { status: 'delivered', receipt },
      )
    },
    options.connection,
    { concurrency: options.concurrency ?? 4, ...(options.log ? { log: options.log } : {}) },
  )
  return {
    async close() {
      await worker.close()
      deliverer.close()
    },
  }
}
