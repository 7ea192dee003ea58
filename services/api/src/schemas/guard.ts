import { Type } from 'typebox'
import { AnnouncedBy } from './common.js'

const Reason = Type.Object({
  code: Type.String(),
  message: Type.String(),
  range: Type.Optional(Type.String()),
  suffix: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  source: Type.Optional(Type.String()),
  asn: Type.Optional(Type.Integer()),
  organisation: Type.Optional(Type.String()),
})

export const HeldView = Type.Object({
  id: Type.String(),
  rightsholder: Type.String(),
  week: Type.String(),
  target: Type.String(),
  reasons: Type.Array(Reason),
  source: Type.String(),
  heldAt: Type.String(),
  status: Type.String(),
  note: Type.Optional(Type.String()),
  evidence: Type.Optional(Type.String()),
  criterion: Type.Optional(Type.String()),
  announcedBy: Type.Optional(AnnouncedBy),
  decidedAt: Type.Optional(Type.String()),
  decidedBy: Type.Optional(Type.String()),
  decisionReason: Type.Optional(Type.String()),
})

export const HeldList = Type.Object({ total: Type.Integer(), held: Type.Array(HeldView) })

export const Decision = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
)

export const ProtectedRangeInput = Type.Object(
  {
    prefix: Type.String({ maxLength: 64 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    source: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
)

export const PutProtected = Type.Object(
  { ranges: Type.Array(ProtectedRangeInput, { maxItems: 100_000 }) },
  { additionalProperties: false },
)

export const ProtectedView = Type.Object({
  /** "operator" once ops replaced the table, "default" before. */
  origin: Type.String(),
  ranges: Type.Array(
    Type.Object({ prefix: Type.String(), name: Type.String(), source: Type.Optional(Type.String()) }),
  ),
})

export const ProtectedResult = Type.Object({
  ranges: Type.Integer(),
  /** Entries a new or wider range now covers: they left enforcement and wait for review. */
  newlyHeld: Type.Array(
    Type.Object({
      id: Type.String(),
      rightsholder: Type.String(),
      week: Type.String(),
      target: Type.String(),
    }),
  ),
})

export const ReporterView = Type.Object({
  rightsholder: Type.String(),
  held: Type.Integer(),
  rejected: Type.Integer(),
  revoked: Type.Integer(),
})

export const ProtectedSuffixInput = Type.Object(
  {
    /** A domain name; every name at or under it is held for review. */
    suffix: Type.String({ minLength: 1, maxLength: 300 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    source: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
)

export const PutProtectedSuffixes = Type.Object(
  { suffixes: Type.Array(ProtectedSuffixInput, { maxItems: 100_000 }) },
  { additionalProperties: false },
)

export const ProtectedSuffixesView = Type.Object({
  /** "operator" once ops replaced the table, "default" before. */
  origin: Type.String(),
  suffixes: Type.Array(Type.Object({ suffix: Type.String(), name: Type.String(), source: Type.String() })),
})

export const PutProtectedSuffixesResult = Type.Object({
  suffixes: Type.Integer(),
  /** Names a new suffix now covers: they left enforcement and wait for review. */
  newlyHeld: Type.Array(
    Type.Object({
      id: Type.String(),
      rightsholder: Type.String(),
      week: Type.String(),
      target: Type.String(),
    }),
  ),
})
