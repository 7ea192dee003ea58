import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { parseSeasonKey } from '@offside/core'
import {
  getCompetition,
  getOrder,
  getOrg,
  listOrders,
  type OrderRecord,
  putOrder,
  setOrderSuspended,
} from '@offside/store'
import { Type } from 'typebox'
import { errors, problem } from '../../errors.js'
import { identityOf } from '../../plugins/auth.js'
import { IdParams, problemResponses } from '../../schemas/common.js'
import { OrderView, PutOrder, SuspendBody } from '../../schemas/orders.js'
import { iso, isoField } from '../../views.js'
import { routeOptions } from '../options.js'

export const orderView = ({ suspensions, ...order }: OrderRecord) => ({
  ...order,
  issuedAt: iso(order.issuedAt),
  updatedAt: iso(order.updatedAt),
  ...(suspensions
    ? {
        suspensions: suspensions.map((period) => ({
          from: iso(period.from),
          ...isoField('until', period.until),
        })),
      }
    : {}),
})

/** Orders: the authority's decision that lets one rightsholder's lists be enforced for a season. */
const orderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const authority = { roles: ['authority' as const] }

  app.put(
    '/orders/:id',
    routeOptions(
      authority,
      'orders',
      {
        params: IdParams,
        body: PutOrder,
      },
      { 200: OrderView },
    ),
    async (request) => {
      const { body } = request
      const season = parseSeasonKey(body.season)
      if (!season.ok) throw problem(errors.InvalidInput, season.message, { field: 'season' })
      const rightsholder = await getOrg(app.db, body.rightsholder)
      if (rightsholder?.kind !== 'rightsholder') {
        throw problem(errors.InvalidInput, `"${body.rightsholder}" is not a rightsholder organisation`, {
          field: 'rightsholder',
        })
      }
      for (const [index, id] of body.competitions.entries()) {
        if (!(await getCompetition(app.db, id))) {
          throw problem(errors.InvalidInput, `no competition "${id}"`, {
            field: `competitions[${index}]`,
            index,
          })
        }
      }
      const now = Date.now()
      const existing = await getOrder(app.db, request.params.id)
      const order: OrderRecord = {
        id: request.params.id,
        ...body,
        suspended: existing?.suspended ?? false,
        ...(existing?.suspensions ? { suspensions: existing.suspensions } : {}),
        issuedAt: existing?.issuedAt ?? now,
        updatedAt: now,
      }
      await putOrder(app.db, order)
      await app.audit(request, existing ? 'order.update' : 'order.issue', `order:${order.id}`, body)
      // A new or changed order can enable a rightsholder's lists, the same effect as a resume.
      await app.recompute({ kind: 'order-resumed', order: order.id, rightsholder: order.rightsholder })
      if (!existing) await app.notifyOrder('order-issued', order)
      return orderView(order)
    },
  )

  for (const action of ['suspend', 'resume'] as const) {
    app.post(
      `/orders/:id/${action}`,
      routeOptions(
        authority,
        'orders',
        {
          params: IdParams,
          body: SuspendBody,
        },
        { 200: OrderView },
      ),
      async (request) => {
        const order = await setOrderSuspended(app.db, request.params.id, action === 'suspend', Date.now())
        if (!order) throw new errors.NotFound(`no order "${request.params.id}"`)
        await app.audit(request, `order.${action}`, `order:${order.id}`, {
          reason: request.body.reason ?? null,
        })
        await app.recompute({
          kind: action === 'suspend' ? 'order-suspended' : 'order-resumed',
          order: order.id,
          rightsholder: order.rightsholder,
        })
        await app.notifyOrder(
          action === 'suspend' ? 'order-suspended' : 'order-resumed',
          order,
          request.body.reason ? `Reason: ${request.body.reason}` : undefined,
        )
        return orderView(order)
      },
    )
  }

  app.get(
    '/orders',
    {
      config: { roles: ['authority', 'ops', 'rightsholder'] },
      schema: { tags: ['orders'], response: { 200: Type.Object({ orders: Type.Array(OrderView) }) } },
    },
    async (request) => {
      const identity = identityOf(request)
      const filter = identity.role === 'rightsholder' ? { rightsholder: identity.org } : {}
      return { orders: (await listOrders(app.db, filter)).map(orderView) }
    },
  )

  app.get(
    '/orders/:id',
    {
      config: { roles: ['authority', 'ops', 'rightsholder'] },
      schema: { tags: ['orders'], params: IdParams, response: { 200: OrderView, ...problemResponses } },
    },
    async (request) => {
      const order = await getOrder(app.db, request.params.id)
      const identity = identityOf(request)
      // Another rightsholder's order answers exactly like a missing one: no existence oracle.
      if (!order || (identity.role === 'rightsholder' && order.rightsholder !== identity.org)) {
        throw new errors.NotFound(`no order "${request.params.id}"`)
      }
      return orderView(order)
    },
  )
}

export default orderRoutes
