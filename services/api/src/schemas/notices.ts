import { Type } from 'typebox'

const Channel = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('email'),
      address: Type.String({ minLength: 3, maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal('webhook'), url: Type.String({ maxLength: 2000 }) },
    { additionalProperties: false },
  ),
])

const Role = Type.Union(
  ['isp', 'rightsholder', 'search-engine', 'platform', 'europol-iru', 'hosting-provider'].map((r) =>
    Type.Literal(r),
  ),
)

export const PartyInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    role: Role,
    channel: Channel,
    org: Type.Optional(Type.String({ maxLength: 128 })),
    /** A hosting provider's autonomous systems: it receives the weekly notice for their addresses. */
    asns: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 4294967295 }), { maxItems: 1000, uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
)

export const PartyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.String(),
  channel: Type.Object({
    kind: Type.String(),
    address: Type.Optional(Type.String()),
    url: Type.Optional(Type.String()),
  }),
  org: Type.Optional(Type.String()),
  asns: Type.Optional(Type.Array(Type.Integer())),
})

export const PartyList = Type.Object({ parties: Type.Array(PartyView) })

export const NoticeView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  order: Type.Optional(Type.String()),
  week: Type.Optional(Type.String()),
  asn: Type.Optional(Type.Integer()),
  party: Type.String(),
  subject: Type.String(),
  text: Type.String(),
  createdAt: Type.String(),
  status: Type.String(),
  attempts: Type.Array(Type.Object({ at: Type.String(), ok: Type.Boolean(), detail: Type.String() })),
  receipt: Type.Optional(
    Type.Object({
      at: Type.String(),
      channel: Type.String(),
      id: Type.Optional(Type.String()),
      response: Type.String(),
    }),
  ),
})

export const NoticeList = Type.Object({ total: Type.Integer(), notices: Type.Array(NoticeView) })
