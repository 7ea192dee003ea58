import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { PortalConfig } from '../config.js'
import { atomFeed } from '../feed.js'
import { lookupPage, overviewPage, unavailablePage } from '../pages.js'
import { ApiUnavailableError, type LookupData, type Problem, type PublicApi } from '../public-api.js'

const asText = (value: unknown) => (typeof value === 'string' ? value.trim() : '')

/** The public pages, the same report as JSON, the Atom feed, and the complaint form's target. */
export function pageRoutes(app: FastifyInstance, api: PublicApi, config: PortalConfig): void {
  const unavailable = (reply: FastifyReply, err: unknown) => {
    if (!(err instanceof ApiUnavailableError)) throw err
    reply.log.warn({ err }, 'API unavailable')
    return reply.code(503).type('text/html; charset=utf-8').send(unavailablePage())
  }

  app.get('/', async (request, reply) => {
    try {
      const data = await api.transparency(request.ip)
      return reply.type('text/html; charset=utf-8').send(overviewPage(data))
    } catch (err) {
      return unavailable(reply, err)
    }
  })

  app.get('/transparency.json', async (request, reply) => {
    try {
      return reply.type('application/json; charset=utf-8').send(await api.transparency(request.ip))
    } catch (err) {
      if (!(err instanceof ApiUnavailableError)) throw err
      return reply.code(503).send({ status: 503, title: 'the report is unavailable', detail: err.message })
    }
  })

  app.get('/feed.atom', async (request, reply) => {
    try {
      const data = await api.transparency(request.ip)
      return reply.type('application/atom+xml; charset=utf-8').send(atomFeed(data, config.publicUrl))
    } catch (err) {
      return unavailable(reply, err)
    }
  })

  app.get('/lookup', async (request: FastifyRequest<{ Querystring: { target?: string } }>, reply) => {
    const target = asText(request.query.target)
    reply.type('text/html; charset=utf-8')
    if (target === '') return reply.send(lookupPage({}))
    try {
      const answer = await api.lookup(target, request.ip)
      if (answer.status === 200) return reply.send(lookupPage({ target, result: answer.body as LookupData }))
      return reply.code(answer.status).send(lookupPage({ target, problem: answer.body as Problem }))
    } catch (err) {
      return unavailable(reply, err)
    }
  })

  app.post('/complaints', async (request: FastifyRequest<{ Body: Record<string, unknown> }>, reply) => {
    const body = request.body ?? {}
    const complaint = {
      target: asText(body.target),
      contact: asText(body.contact),
      reason: asText(body.reason),
    }
    reply.type('text/html; charset=utf-8')
    try {
      const answer = await api.fileComplaint(complaint, request.ip)
      if (answer.status === 201) {
        const filed = answer.body as { id: string }
        return reply.code(201).send(lookupPage({ target: complaint.target, complaint: { id: filed.id } }))
      }
      return reply.code(answer.status).send(
        lookupPage({
          target: complaint.target,
          complaint: {
            problem: answer.body as Problem,
            contact: complaint.contact,
            reason: complaint.reason,
          },
        }),
      )
    } catch (err) {
      return unavailable(reply, err)
    }
  })
}
