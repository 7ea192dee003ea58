/**
 * The audit checkpoint job: every `intervalMs`, signs the head of the audit chain if it moved
 * (packages/store/src/audit-checkpoints.ts). It runs in the scheduler because the scheduler is
 * the one service no client talks to (no routes beyond health and metrics), already keeps the
 * cluster's clock, and holds no other key: the API, which every actor reaches, never holds the
 * checkpoint key, and the gateway keeps only the push key.
 *
 * Each signed checkpoint is also logged (seq, hash, signature): a trail outside Redis, so someone
 * who deletes checkpoints from Redis still leaves them in the scheduler's logs.
 */
import { createPublicKey } from 'node:crypto'
import type { SigningKey } from '@offside/protocol'
import type { Log } from '@offside/service'
import { type Db, writeCheckpoint } from '@offside/store'

export interface CheckpointJob {
  /** Signs now if the head moved (also what the timer does); resolves when done. */
  runOnce(): Promise<void>
  close(): Promise<void>
}

export function startCheckpoints(options: {
  db: Db
  key: SigningKey
  intervalMs: number
  log: Log
}): CheckpointJob {
  const { db, key, log } = options
  const own = new Map([[key.keyId, createPublicKey(key.privateKey)]])
  let running: Promise<void> = Promise.resolve()
  const once = async () => {
    try {
      const outcome = await writeCheckpoint(db, key, own, Date.now())
      if (outcome.kind === 'signed') log.info({ checkpoint: outcome.checkpoint }, 'audit checkpoint signed')
      else if (outcome.kind === 'broken')
        log.error({ seq: outcome.seq, reason: outcome.reason }, 'audit chain broken: checkpoint NOT signed')
    } catch (err) {
      log.error({ err }, 'audit checkpoint failed')
    }
  }
  const runOnce = () => {
    running = running.then(once)
    return running
  }
  const timer = setInterval(() => void runOnce(), options.intervalMs)
  timer.unref()
  return {
    runOnce,
    async close() {
      clearInterval(timer)
      await running
    },
  }
}
