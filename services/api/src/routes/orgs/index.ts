import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  createToken,
  getOrg,
  listOrgs,
  listTokens,
  type Organisation,
  putOrg,
  revokeToken,
  type TokenRecord,
} from '@offside/store'
import { Type } from 'typebox'
import { errors, problem } from '../../errors.js'
import { identityOf } from '../../plugins/auth.js'
import { IdParams, problemResponses } from '../../schemas/common.js'
import { CreateOrg, CreateToken, IssuedToken, Org, TokenInfo, Whoami } from '../../schemas/orgs.js'
import { iso, isoField } from '../../views.js'

const orgView = (org: Organisation) => ({ ...org, createdAt: iso(org.createdAt) })
const tokenView = ({ hash: _hash, createdAt, revokedAt, ...rest }: TokenRecord) => ({
  ...rest,
  createdAt: iso(createdAt),
  ...isoField('revokedAt', revokedAt),
})

/** Organisations and their bearer tokens; the authority manages them. */
const orgRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const authority = { roles: ['authority' as const] }

  app.post(
    '/orgs',
    {
      config: authority,
      schema: { tags: ['identity'], body: CreateOrg, response: { 201: Org, ...problemResponses } },
    },
    async (request, reply) => {
      if (await getOrg(app.db, request.body.id)) {
        throw problem(errors.Conflict, `organisation "${request.body.id}" exists`, { field: 'id' })
      }
      const org: Organisation = { ...request.body, createdAt: Date.now() }
      await putOrg(app.db, org)
      await app.audit(request, 'org.create', `org:${org.id}`, { kind: org.kind, name: org.name })
      return reply.code(201).send(orgView(org))
    },
  )

  app.get(
    '/orgs',
    {
      config: { roles: ['authority', 'ops'] },
      schema: { tags: ['identity'], response: { 200: Type.Object({ orgs: Type.Array(Org) }) } },
    },
    async () => ({ orgs: (await listOrgs(app.db)).map(orgView) }),
  )

  app.post(
    '/tokens',
    {
      config: authority,
      schema: { tags: ['identity'], body: CreateToken, response: { 201: IssuedToken, ...problemResponses } },
    },
    async (request, reply) => {
      const org = await getOrg(app.db, request.body.org)
      if (!org) throw problem(errors.InvalidInput, `no organisation "${request.body.org}"`, { field: 'org' })
      if (org.kind !== request.body.role) {
        throw problem(errors.InvalidInput, `"${org.id}" is a ${org.kind}; its tokens have role ${org.kind}`, {
          field: 'role',
        })
      }
      const { token, record } = await createToken(app.db, { ...request.body, now: Date.now() })
      await app.audit(request, 'token.create', `token:${record.id}`, { org: record.org, role: record.role })
      return reply.code(201).send({ id: record.id, org: record.org, role: record.role, token })
    },
  )

  app.get(
    '/tokens',
    {
      config: authority,
      schema: {
        tags: ['identity'],
        querystring: Type.Object({ org: Type.Optional(Type.String()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ tokens: Type.Array(TokenInfo) }) },
      },
    },
    async (request) => ({ tokens: (await listTokens(app.db, request.query.org)).map(tokenView) }),
  )

  app.delete(
    '/tokens/:id',
    {
      config: authority,
      schema: { tags: ['identity'], params: IdParams, response: { 200: TokenInfo, ...problemResponses } },
    },
    async (request) => {
      const record = await revokeToken(app.db, request.params.id, Date.now())
      if (!record) throw new errors.NotFound(`no token "${request.params.id}"`)
      await app.audit(request, 'token.revoke', `token:${record.id}`, { org: record.org })
      return tokenView(record)
    },
  )

  app.get('/whoami', { schema: { tags: ['identity'], response: { 200: Whoami } } }, async (request) => {
    const { org, role, tokenId } = identityOf(request)
    return { org, role, tokenId }
  })
}

export default orgRoutes
