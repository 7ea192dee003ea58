import { Type } from 'typebox'
import { AnnouncedBy, Id } from './common.js'

export const FileComplaint = Type.Object(
  {
    target: Type.String({ minLength: 1, maxLength: 300 }),
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
    prefixes: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { minItems: 1, maxItems: 1000 })),
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

export const ComplaintList = Type.Object({ total: Type.Integer(), complaints: Type.Array(ComplaintView) })

/** One piece of enforced address space a decision takes out of an enforced entry. */
export const LiftView = Type.Object({
  /** The address space that stops being blocked under `orders`. */
  prefix: Type.String(),
  /** The enforced entry it is cut from. */
  entry: Type.String(),
  until: Type.String(),
  orders: Type.Array(Type.String()),
  /** Orders that keep it blocked (a revocation limited to one order). */
  stillBlockedBy: Type.Array(Type.String()),
})

const Lifts = {
  /** How many lifts there are; at most 1000 are listed. */
  liftsTotal: Type.Integer(),
  lifts: Type.Array(LiftView),
}

/** What a decision would lift from what agents enforce now, before it is taken. */
export const DecisionPreview = Type.Object({
  complaint: Type.String(),
  outcome: Type.String(),
  prefixes: Type.Array(Type.String()),
  ...Lifts,
})

/** The decided complaint and what the decision lifted. */
export const DecidedComplaint = Type.Object({ ...ComplaintView.properties, ...Lifts })

export const LookupQuery = Type.Object(
  { target: Type.String({ minLength: 1, maxLength: 300 }) },
  { additionalProperties: false },
)

export const LookupResult = Type.Object({
  target: Type.String(),
  blocked: Type.Boolean(),
  /** Which autonomous systems announce the target (the offline IP-to-ASN database). */
  announcedBy: Type.Optional(AnnouncedBy),
  /**
   * Enforced entries blocking the target: for an address the prefixes covering it, for a name the
   * name itself or a wildcard above it; until when, under which orders.
   */
  matches: Type.Array(
    Type.Object({
      prefix: Type.Optional(Type.String()),
      name: Type.Optional(Type.String()),
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
