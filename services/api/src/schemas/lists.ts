import { Type } from 'typebox'
import { AnnouncedBy, Evidence, GuardReasonView, Id } from './common.js'

/** The criterion an entry meets (SPEC rule 12), e.g. "sole-or-predominant-purpose". */
const Criterion = Type.String({ minLength: 1, maxLength: 200 })

export const ListEntryInput = Type.Object(
  {
    target: Type.String({ maxLength: 1024 }),
    note: Type.Optional(Type.String({ maxLength: 500 })),
    evidence: Type.Optional(Evidence),
    criterion: Type.Optional(Criterion),
  },
  { additionalProperties: false },
)

export const ListBody = Type.Object(
  {
    entries: Type.Array(ListEntryInput, { maxItems: 1_000_000 }),
    /** Evidence and criterion for the whole list, used by entries that carry none. */
    evidence: Type.Optional(Evidence),
    criterion: Type.Optional(Criterion),
  },
  { additionalProperties: false },
)

export const ListQuery = Type.Object(
  { evidence: Type.Optional(Evidence), criterion: Type.Optional(Criterion) },
  { additionalProperties: false },
)

export const ListParams = Type.Object(
  { rightsholder: Id, week: Type.String({ maxLength: 16 }) },
  { additionalProperties: false },
)

export const EntryVerdict = Type.Object({
  index: Type.Integer(),
  target: Type.String(),
  /** The first reason's code, for quick reading; `reasons` has them all. */
  reason: Type.String(),
  reasons: Type.Array(GuardReasonView),
  heldId: Type.Optional(Type.String()),
  announcedBy: Type.Optional(AnnouncedBy),
})

export const UploadResult = Type.Object({
  rightsholder: Type.String(),
  week: Type.String(),
  version: Type.String(),
  /** True when this exact list was already the current one: nothing was written. */
  unchanged: Type.Boolean(),
  entries: Type.Integer(),
  accepted: Type.Integer(),
  held: Type.Array(EntryVerdict),
  rejected: Type.Array(EntryVerdict),
})

export const ListSummaryView = Type.Object({
  rightsholder: Type.String(),
  week: Type.String(),
  version: Type.String(),
  uploadedAt: Type.String(),
  uploadedBy: Type.String(),
  entries: Type.Integer(),
  accepted: Type.Integer(),
  held: Type.Integer(),
  rejected: Type.Integer(),
  hotAdditions: Type.Integer(),
  evidence: Type.Optional(Type.String()),
  criterion: Type.Optional(Type.String()),
})

export const ListEntriesView = Type.Object({
  rightsholder: Type.String(),
  week: Type.String(),
  version: Type.String(),
  total: Type.Integer(),
  entries: Type.Array(
    Type.Object({
      target: Type.String(),
      source: Type.String(),
      note: Type.Optional(Type.String()),
      evidence: Type.Optional(Type.String()),
    }),
  ),
})
