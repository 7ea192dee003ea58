import { createHash } from 'node:crypto'
import {
  type AnnouncingAs,
  type AsnLookup,
  displayPrefix,
  type GuardReason,
  parseTarget,
} from '@offside/core'
import { type HeldEntry, heldId, type ListEntry } from '@offside/store'
import { errors, problem } from '../../errors.js'
import type { Guard } from '../../plugins/guard.js'
import type { RawEntry } from './read-entries.js'

const EVIDENCE = /^sha256:[0-9a-f]{64}$/

/** What the guard said about one entry that is not simply accepted. */
export interface EntryVerdict {
  index: number
  target: string
  reason: string
  reasons: GuardReason[]
  heldId?: string
  announcedBy?: AnnouncingAs[]
}

export interface JudgedList {
  /** Content hash over the normalised entries: the same list always gets the same version. */
  version: string
  accepted: ListEntry[]
  held: { verdict: EntryVerdict; entry: ListEntry }[]
  rejected: EntryVerdict[]
}

export interface JudgeOptions {
  guard: Guard
  /** Names the announcing networks of held entries, so review shows them. */
  asnOf?: AsnLookup
  hasCurrentOrder: boolean
  /** Some current order of the rightsholder allows wildcard names. */
  allowWildcards: boolean
  rightsholder: string
  week: string
  evidence?: string
  criterion?: string
}

/**
 * Parses every entry and runs the overblocking guard on it (SPEC rule 6). Any malformed entry — a
 * target that does not parse, evidence that is not a SHA-256, an entry with no evidence at all —
 * refuses the whole list with the entry's index (nothing is stored). Well-formed entries are
 * accepted, held for review or rejected, each with its reasons.
 */
export function judgeEntries(raw: RawEntry[], options: JudgeOptions): JudgedList {
  const hash = createHash('sha256')
  // The hashed text is handed over in chunks: one update per entry cost more than the guard.
  let hashed = `${options.evidence ?? ''}\t${options.criterion ?? ''}\n`
  // Lists usually give every entry the same evidence: each distinct one is checked once.
  let checkedEvidence: string | undefined
  const accepted: ListEntry[] = []
  const held: JudgedList['held'] = []
  const rejected: EntryVerdict[] = []
  const seen = new Set<string>()
  for (let index = 0; index < raw.length; index++) {
    const item = raw[index]!
    const parsed = parseTarget(item.target ?? '', { allowNames: true })
    if (!parsed.ok) {
      throw problem(errors.EntryMalformed, `entry ${index}: ${parsed.message}`, {
        index,
        field: `entries[${index}].target`,
        reason: parsed.reason,
      })
    }
    if (item.evidence !== undefined && item.evidence !== checkedEvidence && !EVIDENCE.test(item.evidence)) {
      throw problem(errors.EntryMalformed, `entry ${index}: evidence must be sha256:<64 lower-case hex>`, {
        index,
        field: `entries[${index}].evidence`,
        reason: 'evidence-malformed',
      })
    }
    if (item.evidence !== undefined) checkedEvidence = item.evidence
    const evidence = item.evidence ?? options.evidence
    if (!evidence) {
      throw problem(
        errors.EntryMalformed,
        `entry ${index}: no evidence; give one per entry or one for the whole list`,
        {
          index,
          field: `entries[${index}].evidence`,
          reason: 'evidence-missing',
        },
      )
    }
    const { target } = parsed
    const entry: ListEntry = {
      target: target.kind === 'prefix' ? target.prefix : target.name,
      evidence,
      ...(item.note ? { note: item.note } : {}),
      ...((item.criterion ?? options.criterion) ? { criterion: item.criterion ?? options.criterion } : {}),
    }
    hashed += `${entry.target}\t${item.evidence ?? ''}\t${item.criterion ?? ''}\t${item.note ?? ''}\n`
    if (hashed.length >= 65536) {
      hash.update(hashed)
      hashed = ''
    }
    if (seen.has(entry.target)) continue
    seen.add(entry.target)
    const { verdict, reasons } = options.guard.check(target, {
      hasCurrentOrder: options.hasCurrentOrder,
      allowWildcards: options.allowWildcards,
    })
    if (verdict === 'accepted') {
      accepted.push(entry)
      continue
    }
    const view: EntryVerdict = {
      index,
      target: displayPrefix(entry.target),
      reason: reasons[0]?.code ?? verdict,
      reasons,
    }
    if (verdict === 'held') {
      view.heldId = heldId(options.rightsholder, options.week, entry.target)
      if (options.asnOf && target.kind === 'prefix') view.announcedBy = options.asnOf(target.prefix)
      held.push({ verdict: view, entry })
    } else rejected.push(view)
  }
  hash.update(hashed)
  return { version: hash.digest('hex').slice(0, 32), accepted, held, rejected }
}

/** The review-queue records for held entries. */
export function heldEntries(
  judged: JudgedList,
  context: { rightsholder: string; week: string; source: HeldEntry['source']; now: number },
): HeldEntry[] {
  return judged.held.map(({ verdict, entry }) => ({
    id: verdict.heldId!,
    rightsholder: context.rightsholder,
    week: context.week,
    target: entry.target,
    reasons: verdict.reasons,
    source: context.source,
    heldAt: context.now,
    status: 'pending',
    ...(entry.note ? { note: entry.note } : {}),
    ...(entry.evidence ? { evidence: entry.evidence } : {}),
    ...(entry.criterion ? { criterion: entry.criterion } : {}),
    ...(verdict.announcedBy ? { announcedBy: verdict.announcedBy } : {}),
  }))
}
