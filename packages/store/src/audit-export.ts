/**
 * The offline check of an audit export (`offside audit verify FILE --public-key KEY`): no Redis,
 * no API, only the file and the checkpoint public key(s). An export is JSON lines: each stored
 * record as it is in Redis, then `{"type":"checkpoint",…}` lines (audit-checkpoints.ts).
 *
 * It names every problem it finds, not only the first: an edited record, a deleted one, two
 * swapped, a link that does not hold, a checkpoint whose signature fails, and a chain that no
 * longer has the hash a valid checkpoint signed — which is how a consistent rewrite of the whole
 * chain (every hash recomputed) shows, since only the checkpoint key could cover it.
 */
import type { TrustedKeys } from '@offside/protocol'
import { type AuditRecord, auditHash, GENESIS_HASH } from './audit.js'
import { type AuditCheckpoint, checkCheckpoint } from './audit-checkpoints.js'

export type AuditProblemKind =
  | 'unreadable'
  | 'changed'
  | 'missing'
  | 'reordered'
  | 'duplicate'
  | 'broken-link'
  | 'rewritten'
  | 'truncated'
  | 'forged-checkpoint'
  | 'unanchored'

export interface AuditProblem {
  kind: AuditProblemKind
  /** The record it is about, when one is. */
  seq?: number
  /** The line of the file (from 1). */
  line?: number
  message: string
}

export interface ExportVerification {
  ok: boolean
  records: number
  checkpoints: number
  /** The highest record a valid checkpoint covers (0: none). */
  anchoredUpTo: number
  /** Records after the latest valid checkpoint: consistent, but not yet signed for. */
  unanchored: number
  problems: AuditProblem[]
}

/** One line of an export: a checkpoint. Records are written as they are stored. */
export function checkpointLine(checkpoint: AuditCheckpoint): string {
  return JSON.stringify({ type: 'checkpoint', ...checkpoint })
}

type Numbered<T> = { line: number; value: T }

const isRecord = (value: Record<string, unknown>): boolean =>
  typeof value.seq === 'number' && typeof value.hash === 'string' && typeof value.prev === 'string'

const isCheckpoint = (value: Record<string, unknown>): boolean =>
  value.type === 'checkpoint' &&
  typeof value.seq === 'number' &&
  typeof value.hash === 'string' &&
  typeof value.at === 'number' &&
  typeof value.keyId === 'string' &&
  typeof value.sig === 'string'

function parse(text: string, problems: AuditProblem[]) {
  const records: Numbered<AuditRecord>[] = []
  const checkpoints: Numbered<AuditCheckpoint>[] = []
  text.split('\n').forEach((raw, index) => {
    const line = index + 1
    if (raw.trim() === '') return
    let value: Record<string, unknown> | null = null
    try {
      value = JSON.parse(raw) as Record<string, unknown>
    } catch {}
    if (value && typeof value === 'object' && isCheckpoint(value)) {
      const { type: _, ...checkpoint } = value
      checkpoints.push({ line, value: checkpoint as unknown as AuditCheckpoint })
    } else if (value && typeof value === 'object' && isRecord(value)) {
      records.push({ line, value: value as unknown as AuditRecord })
    } else {
      problems.push({
        kind: 'unreadable',
        line,
        message: `line ${line} is neither a record nor a checkpoint`,
      })
    }
  })
  return { records, checkpoints }
}

const span = (from: number, to: number) => (from === to ? `record ${from} is` : `records ${from}–${to} are`)

/** Checks an export's links, hashes and checkpoints against the given public key(s). */
export function verifyAuditExport(text: string, trusted: TrustedKeys): ExportVerification {
  const problems: AuditProblem[] = []
  const { records, checkpoints } = parse(text, problems)

  // Order: the export lists records as stored, oldest first; a smaller seq after a larger one
  // means two records were swapped (or one moved).
  for (let i = 1; i < records.length; i++) {
    const before = records[i - 1]!.value.seq
    const { line, value } = records[i]!
    if (value.seq === before)
      problems.push({ kind: 'duplicate', seq: value.seq, line, message: `record ${value.seq} appears twice` })
    else if (value.seq < before)
      problems.push({
        kind: 'reordered',
        seq: value.seq,
        line,
        message: `record ${value.seq} comes after record ${before}: records were reordered`,
      })
  }

  const bySeq = new Map<number, Numbered<AuditRecord>>()
  for (const record of records) if (!bySeq.has(record.value.seq)) bySeq.set(record.value.seq, record)
  const sorted = [...bySeq.values()].sort((a, b) => a.value.seq - b.value.seq)

  let expected = 1
  let prev: string | null = GENESIS_HASH
  for (const { line, value } of sorted) {
    const { hash, ...body } = value
    if (auditHash(body) !== hash)
      problems.push({
        kind: 'changed',
        seq: value.seq,
        line,
        message: `record ${value.seq} was changed: its content does not match its hash`,
      })
    if (value.seq > expected) {
      problems.push({
        kind: 'missing',
        seq: expected,
        message: `${span(expected, value.seq - 1)} missing: deleted from the chain`,
      })
      prev = null // the link across a gap cannot be checked; the gap is the finding
    }
    if (prev !== null && value.prev !== prev)
      problems.push({
        kind: 'broken-link',
        seq: value.seq,
        line,
        message: `record ${value.seq} does not chain to record ${value.seq - 1} (its prev is not that record's hash)`,
      })
    prev = hash
    expected = value.seq + 1
  }
  const lastSeq = expected - 1

  let anchoredUpTo = 0
  for (const { line, value } of checkpoints) {
    const signature = checkCheckpoint(value, trusted)
    if (signature !== 'ok') {
      problems.push({
        kind: 'forged-checkpoint',
        seq: value.seq,
        line,
        message:
          signature === 'unknown-key'
            ? `the checkpoint at record ${value.seq} is signed by key ${value.keyId}, not by the given public key`
            : `the checkpoint at record ${value.seq} has a signature that does not verify`,
      })
      continue
    }
    const record = bySeq.get(value.seq)?.value
    if (!record && value.seq > lastSeq)
      problems.push({
        kind: 'truncated',
        seq: value.seq,
        line,
        message: `a checkpoint signed record ${value.seq} but the chain ends at record ${lastSeq}: records were removed from the end`,
      })
    else if (record && record.hash !== value.hash)
      problems.push({
        kind: 'rewritten',
        seq: value.seq,
        line,
        message: `record ${value.seq} does not have the hash the checkpoint of ${new Date(value.at).toISOString()} signed: the chain was rewritten`,
      })
    anchoredUpTo = Math.max(anchoredUpTo, value.seq)
  }
  if (anchoredUpTo === 0 && lastSeq > 0)
    problems.push({
      kind: 'unanchored',
      message: 'no checkpoint verifies with the given public key: nothing anchors this chain',
    })

  return {
    ok: problems.length === 0,
    records: records.length,
    checkpoints: checkpoints.length,
    anchoredUpTo,
    unanchored: Math.max(0, lastSeq - anchoredUpTo),
    problems,
  }
}
