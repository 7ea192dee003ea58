import { Type } from 'typebox'
import { Id } from './common.js'

export const PutOrder = Type.Object(
  {
    rightsholder: Id,
    competitions: Type.Array(Id, { minItems: 1, maxItems: 100, uniqueItems: true }),
    season: Type.String({ pattern: '^\\d{4}-\\d{2}$' }),
    reference: Type.String({ minLength: 1, maxLength: 200 }),
    /** The order allows wildcard names (`*.example.org`) in its rightsholder's lists; off by default. */
    allowWildcards: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

export const OrderView = Type.Object({
  id: Type.String(),
  rightsholder: Type.String(),
  competitions: Type.Array(Type.String()),
  season: Type.String(),
  reference: Type.String(),
  suspended: Type.Boolean(),
  allowWildcards: Type.Optional(Type.Boolean()),
  issuedAt: Type.String(),
  updatedAt: Type.String(),
  /** Periods the order was suspended, oldest first; the open one has no `until`. */
  suspensions: Type.Optional(
    Type.Array(Type.Object({ from: Type.String(), until: Type.Optional(Type.String()) })),
  ),
})

export const SuspendBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
)
