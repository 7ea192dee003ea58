import { type TOptional, type TProperties, type TString, Type } from 'typebox'

/** RFC 9457 problem details, with the offending field or entry index when there is one. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.Optional(Type.String()),
    field: Type.Optional(Type.String()),
    index: Type.Optional(Type.Integer()),
    reason: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          index: Type.Optional(Type.Integer()),
          field: Type.Optional(Type.String()),
          reason: Type.String(),
        }),
      ),
    ),
  },
  { $id: 'Problem' },
)

/** Every 4xx a route can answer, for the OpenAPI document. */
export const problemResponses = { '4xx': Type.Ref('Problem') } as const

/** An identifier in a path: short, URL-safe, no separators we use in keys. */
export const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' })

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false })

/** The query of a list narrowed by one optional field, e.g. `?competition=serie-a`. */
export function filterQuery<const K extends string>(field: K) {
  return Type.Object({ [field]: Type.Optional(Type.String()) } as { [P in K]: TOptional<TString> }, {
    additionalProperties: false,
  })
}

/** The query of a long list read in pages: `filters` (each optional), then at most `maxLimit` items from `offset`. */
export function pageQuery<const F extends TProperties = Record<never, never>>(
  maxLimit: number,
  filters: F = {} as F,
) {
  return Type.Object(
    {
      ...filters,
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxLimit })),
      offset: Type.Optional(Type.Integer({ minimum: 0 })),
    },
    { additionalProperties: false },
  )
}

/** An ISO 8601 instant with a UTC offset, e.g. 2026-11-29T20:45:00+01:00. */
export const Instant = Type.String({ format: 'date-time' })

/** A SHA-256 digest of evidence: sha256:<64 hex>. */
export const Evidence = Type.String({ pattern: '^sha256:[0-9a-f]{64}$' })

export const Ok = Type.Object({ ok: Type.Boolean() })

/** Autonomous systems announcing a target, from the offline IP-to-ASN database (absent when it is off). */
export const AnnouncedBy = Type.Array(Type.Object({ asn: Type.Integer(), organisation: Type.String() }))

/** One of the guard's reasons for holding or rejecting an entry (core's GuardReason). */
export const GuardReasonView = Type.Object({
  code: Type.String(),
  message: Type.String(),
  range: Type.Optional(Type.String()),
  suffix: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  source: Type.Optional(Type.String()),
  asn: Type.Optional(Type.Integer()),
  organisation: Type.Optional(Type.String()),
})

/** An entry held for review, as named in answers that put entries on hold. */
export const HeldRef = Type.Object({
  id: Type.String(),
  rightsholder: Type.String(),
  week: Type.String(),
  target: Type.String(),
})
