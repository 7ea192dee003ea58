import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { checkpointLine, iterateAudit, readAudit, readCheckpoints, verifyAudit } from '@offside/store'
import { Type } from 'typebox'

const Actor = Type.Union([
  Type.Object({ org: Type.String(), role: Type.String(), tokenId: Type.Optional(Type.String()) }),
  Type.Null(),
])

const Record = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  prev: Type.String(),
  hash: Type.String(),
  actor: Actor,
  action: Type.String(),
  subject: Type.String(),
  details: Type.Unknown(),
})

const Verification = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer(),
  head: Type.Object({ seq: Type.Integer(), hash: Type.String() }),
  firstBad: Type.Optional(Type.Object({ seq: Type.Integer(), id: Type.String(), reason: Type.String() })),
})

/** The hash-chained audit log (SPEC rule 9): page it, verify it, export it as JSON lines. */
const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const readers = { roles: ['authority' as const, 'ops' as const] }

  app.get(
    '/audit',
    {
      config: readers,
      schema: {
        tags: ['audit'],
        querystring: Type.Object(
          {
            after: Type.Optional(Type.Integer({ minimum: 0 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            records: Type.Array(Record),
            nextAfter: Type.Union([Type.Integer(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const page = await readAudit(app.db, {
        ...(request.query.after !== undefined ? { afterSeq: request.query.after } : {}),
        limit: request.query.limit ?? 100,
      })
      return {
        records: page.records.map((record) => ({ ...record, at: new Date(record.at).toISOString() })),
        nextAfter: page.nextAfter,
      }
    },
  )

  app.get(
    '/audit/verify',
    { config: readers, schema: { tags: ['audit'], response: { 200: Verification } } },
    async () => verifyAudit(app.db),
  )

  app.get(
    '/audit/export',
    {
      config: readers,
      schema: {
        tags: ['audit'],
        description:
          'Every record, oldest first, as JSON lines (the stored form, hashes verifiable offline), then every signed checkpoint of the chain head as a `{"type":"checkpoint",…}` line: `offside audit verify FILE --public-key KEY` checks it offline.',
      },
    },
    async (_request, reply) => {
      async function* lines() {
        for await (const { id, record } of iterateAudit(app.db))
          yield `${JSON.stringify(record ?? { id, unreadable: true })}\n`
        // Read after the records: every checkpoint then covers a record already written out.
        for (const checkpoint of await readCheckpoints(app.db)) yield `${checkpointLine(checkpoint)}\n`
      }
      return reply.type('application/x-ndjson').send(Readable.from(lines()))
    },
  )
}

export default auditRoutes
