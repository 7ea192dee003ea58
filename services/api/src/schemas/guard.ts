import { type TOptional, type TString, Type } from 'typebox'
import { AnnouncedBy, GuardReasonView, HeldRef } from './common.js'

export const HeldView = Type.Object({
  id: Type.String(),
  rightsholder: Type.String(),
  week: Type.String(),
  target: Type.String(),
  reasons: Type.Array(GuardReasonView),
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

/** One row of an operator's protected table: what it protects (`key`), its name and source. */
function protectedInput<K extends string>(key: K, target: TString) {
  return Type.Object(
    {
      [key]: target,
      name: Type.String({ minLength: 1, maxLength: 200 }),
      source: Type.Optional(Type.String({ maxLength: 500 })),
    } as { [P in K]: TString } & { name: TString; source: TOptional<TString> },
    { additionalProperties: false },
  )
}

export const ProtectedRangeInput = protectedInput('prefix', Type.String({ maxLength: 64 }))

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
  newlyHeld: Type.Array(HeldRef),
})

export const ReporterView = Type.Object({
  rightsholder: Type.String(),
  held: Type.Integer(),
  rejected: Type.Integer(),
  revoked: Type.Integer(),
})

/** A domain name; every name at or under it is held for review. */
export const ProtectedSuffixInput = protectedInput('suffix', Type.String({ minLength: 1, maxLength: 300 }))

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
  newlyHeld: Type.Array(HeldRef),
})
