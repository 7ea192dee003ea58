import { orgKinds } from '@offside/core'
import { Type } from 'typebox'
import { Id } from './common.js'

const Kind = Type.Enum(orgKinds)

export const CreateOrg = Type.Object(
  { id: Id, kind: Kind, name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
)

export const Org = Type.Object({
  id: Type.String(),
  kind: Kind,
  name: Type.String(),
  createdAt: Type.String(),
})

export const CreateToken = Type.Object(
  { org: Id, role: Kind, label: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false },
)

export const TokenInfo = Type.Object({
  id: Type.String(),
  org: Type.String(),
  role: Kind,
  label: Type.Optional(Type.String()),
  createdAt: Type.String(),
  revokedAt: Type.Optional(Type.String()),
})

export const IssuedToken = Type.Object({
  id: Type.String(),
  org: Type.String(),
  role: Kind,
  /** Shown once; only its hash is stored. */
  token: Type.String(),
})

export const Whoami = Type.Object({ org: Type.String(), role: Kind, tokenId: Type.String() })
