/**
 * Whether the revision an agent says hello with belongs to the history the store holds now
 * (docs/protocol.md §4, "When the control plane's history changed"). Redis restored from an
 * older backup, or emptied, leaves agents holding revisions the store never published, or
 * published with other content: the chain, not the number, tells them apart.
 */
import type { HelloMessage } from '@offside/protocol'
import { type Db, historyAt } from '@offside/store'

export type HelloVerdict =
  /** Same history: resume from the agent's revision (if it was sent to it). */
  | { kind: 'same' }
  /** Cannot tell (an agent without history fields, a revision trimmed from the stream): a snapshot. */
  | { kind: 'unknown' }
  /** Another history, behind the store's: a snapshot replaces the agent's state. */
  | { kind: 'other' }
  /**
   * The agent holds a revision of this history's number or above that the store does not: the
   * store was rewound. A new history starts above `above`, so no number the agent holds is reused.
   */
  | { kind: 'rewound'; above: number }
  /** An agent without history fields claiming a revision never published: refused. */
  | { kind: 'ahead' }

/** Judges a hello against the store's history (`published` = its current revision, `epoch` its id). */
export async function judgeHello(
  db: Db,
  hello: Pick<HelloMessage, 'lastRevision' | 'epoch' | 'chain'>,
  store: { published: number; epoch: string | null },
): Promise<HelloVerdict> {
  const { lastRevision, epoch, chain } = hello
  // An agent older than epochs cannot prove which history it holds: the rule of old applies.
  if (epoch === undefined) return lastRevision > store.published ? { kind: 'ahead' } : { kind: 'same' }
  if (lastRevision > store.published) return { kind: 'rewound', above: lastRevision }
  if (epoch !== store.epoch) return { kind: 'other' }
  if (lastRevision === 0) return { kind: 'same' }
  const mark = await historyAt(db, lastRevision)
  if (!mark || chain === undefined) return { kind: 'unknown' }
  if (mark.chain === chain) return { kind: 'same' }
  // Same epoch and number, other content: the store was rewound and has published since.
  return { kind: 'rewound', above: store.published }
}
