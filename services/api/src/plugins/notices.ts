import { noticeText, type OrderNoticeKind, partiesOf } from '@offside/core'
import { appendAudits, createQueue, fileNotices, listParties, type OrderRecord } from '@offside/store'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Files a notice of an order's change to each of its parties (SPEC rule 15) and queues them
     * for the notifier. A failure to queue is logged, not thrown: the notices are filed (the
     * authority sees them pending) and the change itself is already stored.
     */
    notifyOrder(kind: OrderNoticeKind, order: OrderRecord, detail?: string): Promise<void>
  }
}

export default fp(
  async function noticesPlugin(app: FastifyInstance, options: { redisUrl: string; keyPrefix: string }) {
    const queue = createQueue('notify', options, app.log)
    app.decorate('notifyOrder', async (kind: OrderNoticeKind, order: OrderRecord, detail?: string) => {
      try {
        const now = Date.now()
        const { subject, text } = noticeText(kind, order, now, detail)
        const notices = await fileNotices(
          app.db,
          partiesOf(order, await listParties(app.db)).map((party) => ({
            kind,
            order: order.id,
            party: party.id,
            subject,
            text,
            createdAt: now,
          })),
        )
        if (notices.length === 0) return
        // One audit append and one queue call for all parties: an order has dozens (every ISP).
        await appendAudits(
          app.db,
          notices.map((notice) => ({
            at: now,
            actor: null,
            action: 'notice.file',
            subject: `notice:${notice.id}`,
            details: { kind, order: order.id, party: notice.party },
          })),
        )
        // The notice id as job id: queuing one twice delivers it once.
        await queue.addBulk(
          notices.map((notice) => ({
            name: 'notify',
            data: { notice: notice.id },
            opts: { jobId: notice.id },
          })),
        )
      } catch (err) {
        app.log.error({ err, kind, order: order.id }, 'could not file or queue notices')
      }
    })
    app.addHook('onClose', async () => {
      await queue.close()
    })
  },
  { name: 'notices', dependencies: ['db'] },
)
