import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { getOrder, listNotices, listParties, type Notice, putParty } from '@offside/store'
import { Type } from 'typebox'
import { errors, problem } from '../../errors.js'
import { IdParams } from '../../schemas/common.js'
import { NoticeList, PartyInput, PartyList, PartyView } from '../../schemas/notices.js'
import { routeOptions } from '../options.js'

const iso = (ms: number) => new Date(ms).toISOString()
const noticeView = (notice: Notice) => ({
  ...notice,
  createdAt: iso(notice.createdAt),
  attempts: notice.attempts.map((a) => ({ ...a, at: iso(a.at) })),
  ...(notice.receipt ? { receipt: { ...notice.receipt, at: iso(notice.receipt.at) } } : {}),
})

/** Whom orders are notified to, and the outbox with its receipts and dead letters (SPEC rule 15). */
const noticeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.put(
    '/parties/:id',
    routeOptions(
      { roles: ['authority'] },
      'notices',
      {
        params: IdParams,
        body: PartyInput,
      },
      { 200: PartyView },
    ),
    async (request) => {
      const { channel } = request.body
      if (channel.kind === 'webhook') {
        const url = URL.canParse(channel.url) ? new URL(channel.url) : null
        if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
          throw problem(errors.InvalidInput, 'a webhook needs an http(s) URL', {
            field: 'channel.url',
            reason: 'malformed',
          })
        }
      }
      if (request.body.asns && request.body.role !== 'hosting-provider') {
        throw problem(errors.InvalidInput, 'only a hosting provider answers for autonomous systems', {
          field: 'asns',
          reason: 'not-a-hosting-provider',
        })
      }
      const party = { id: request.params.id, ...request.body }
      await putParty(app.db, party)
      await app.audit(request, 'party.put', `party:${party.id}`, party)
      return party
    },
  )

  app.get(
    '/parties',
    { config: { roles: ['authority'] }, schema: { tags: ['notices'], response: { 200: PartyList } } },
    async () => ({ parties: await listParties(app.db) }),
  )

  app.get(
    '/notices',
    routeOptions(
      { roles: ['authority'] },
      'notices',
      {
        querystring: Type.Object(
          {
            status: Type.Optional(
              Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')]),
            ),
            order: Type.Optional(Type.String({ maxLength: 128 })),
          },
          { additionalProperties: false },
        ),
      },
      { 200: NoticeList },
    ),
    async (request) => {
      const { order, status } = request.query
      if (order && !(await getOrder(app.db, order))) {
        throw problem(errors.NotFound, `no order "${order}"`, { field: 'order' })
      }
      const notices = await listNotices(app.db, {
        ...(status ? { status } : {}),
        ...(order ? { order } : {}),
      })
      return { total: notices.length, notices: notices.map(noticeView) }
    },
  )
}

export default noticeRoutes
