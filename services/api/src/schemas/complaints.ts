import { Type } from 'typebox'
import { Id } from './common.js'

export const FileComplaint = Type.Object(
  {
    target: Type.String({ minLength: 1, maxLength: 100 }),
    contact: Type.String({ minLength: 3, maxLength: 200 }),
    reason: Type.String({ minLength: 1, maxLength: 4000 }),
  },
  { additionalProperties: false },
)

export const Filed = Type.Object({ id: Type.String(), status: Type.String(), filedAt: Type.String() })

export const DecideComplaint = Type.Object(
  {
    outcome: Type.Union([Type.Literal('revoke'), Type.Literal('suspend-order'), Type.Literal('reject')]),
    reason: Type.String({ minLength: 1, maxLength: 4000 }),
    /** revoke: the prefixes to take out of enforcement (default: the complained-about target). */
    prefixes: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { minItems: 1, maxItems: 1000 })),
    /** revoke: only from this order's lists (default: from every order); suspend-order: the order to suspend. */
    order: Type.Optional(Id),
  },
  { additionalProperties: false },
)

export const ComplaintView = Type.Object({
  id: Type.String(),
  target: Type.String(),
  contact: Type.String(),
  reason: Type.String(),
  filedAt: Type.String(),
  status: Type.String(),
  decision: Type.Optional(
    Type.Object({
      outcome: Type.String(),
      reason: Type.String(),
      prefixes: Type.Optional(Type.Array(Type.String())),
      order: Type.Optional(Type.String()),
      decidedAt: Type.String(),
      decidedBy: Type.String(),
    }),
  ),
})

export const LookupQuery = Type.Object(
  { target: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
)

export const LookupResult = Type.Object({
  target: Type.String(),
  blocked: Type.Boolean(),
  /** Enforced entries covering or inside the target: prefix, until when, under which orders. */
  matches: Type.Array(
    Type.Object({
      prefix: Type.String(),
      until: Type.String(),
      orders: Type.Array(Type.Object({ id: Type.String(), reference: Type.String() })),
    }),
  ),
  complain: Type.Object({
    method: Type.String(),
    url: Type.String(),
    body: Type.String(),
    note: Type.String(),
  }),
})
