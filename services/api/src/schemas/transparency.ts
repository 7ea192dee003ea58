import { Type } from 'typebox'

const Named = Type.Object({ id: Type.String(), name: Type.String() })

/** GET /v1/public/transparency: orders and counts, never a list entry (SPEC rule 14). */
export const TransparencyView = Type.Object({
  generatedAt: Type.String(),
  /** Prefixes agents enforce now, all orders together. */
  enforcedNow: Type.Integer(),
  orders: Type.Array(
    Type.Object({
      id: Type.String(),
      reference: Type.String(),
      rightsholder: Named,
      competitions: Type.Array(Named),
      season: Type.String(),
      status: Type.Union([Type.Literal('in-force'), Type.Literal('suspended')]),
      issuedAt: Type.String(),
      updatedAt: Type.String(),
      suspensions: Type.Array(Type.Object({ from: Type.String(), until: Type.Optional(Type.String()) })),
      /** Prefixes enforced now under this order (a prefix under two orders counts for each). */
      enforcedNow: Type.Integer(),
    }),
  ),
  weeks: Type.Array(
    Type.Object({
      week: Type.String(),
      rightsholder: Type.String(),
      rightsholderName: Type.String(),
      listed: Type.Integer(),
      held: Type.Integer(),
      rejected: Type.Integer(),
      revokedAfterComplaints: Type.Integer(),
    }),
  ),
  complaints: Type.Object({
    filed: Type.Integer(),
    open: Type.Integer(),
    upheld: Type.Integer(),
    rejected: Type.Integer(),
    medianDecisionMs: Type.Union([Type.Number(), Type.Null()]),
  }),
  decisions: Type.Array(
    Type.Object({
      complaint: Type.String(),
      decidedAt: Type.String(),
      outcome: Type.String(),
      order: Type.Optional(Type.String()),
      reference: Type.Optional(Type.String()),
      revokedPrefixes: Type.Integer(),
    }),
  ),
  isps: Type.Array(
    Type.Object({
      isp: Type.String(),
      name: Type.String(),
      expected: Type.Integer(),
      onTime: Type.Integer(),
      late: Type.Integer(),
      missing: Type.Integer(),
      onTimeRate: Type.Union([Type.Number(), Type.Null()]),
    }),
  ),
  timelinessDays: Type.Integer(),
})
