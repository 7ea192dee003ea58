/**
 * Actions taken from the page, forwarded to the API with the viewer's own token so the API stays
 * the one place that authorises and audits them. The dashboard adds nothing but the path.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { LiveFeed } from '../live-feed.js'
import type { Metrics } from '../metrics.js'

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' } },
} as const

const reasonBody = {
  type: 'object',
  additionalProperties: false,
  properties: { reason: { type: 'string', maxLength: 2000 } },
} as const

const decisionBody = {
  type: 'object',
  required: ['outcome', 'reason'],
  additionalProperties: false,
  properties: {
    outcome: { type: 'string', enum: ['revoke', 'suspend-order', 'reject'] },
    reason: { type: 'string', minLength: 1, maxLength: 2000 },
    prefixes: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 100 } },
    order: { type: 'string', maxLength: 128 },
  },
} as const

export interface ActionDeps {
  apiUrl: string
  feed: LiveFeed
  metrics: Metrics
}

async function forward(
  deps: ActionDeps,
  reply: FastifyReply,
  kind: string,
  path: string,
  token: string,
  body: unknown,
): Promise<FastifyReply> {
  let response: Response
  try {
    response = await fetch(`${deps.apiUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
      signal: AbortSignal.timeout(10_000),
    })
  } catch (err) {
    deps.metrics.actions.inc({ kind, status: 'unreachable' })
    reply.log.error({ err, kind }, 'the API did not answer an action')
    return reply.code(502).type('application/problem+json').send({
      type: 'about:blank',
      title: 'The API did not answer',
      status: 502,
      detail: 'The action was not taken; try again.',
    })
  }
  deps.metrics.actions.inc({ kind, status: String(response.status) })
  // Show the result without waiting for the next poll.
  if (response.ok) deps.feed.poke()
  const text = await response.text()
  return reply
    .code(response.status)
    .type(response.headers.get('content-type') ?? 'application/json')
    .send(text)
}

export function actionRoutes(app: FastifyInstance, deps: ActionDeps): void {
  // Held entries and breaker trips take the same two verdicts, with the same body, under the guard.
  for (const queue of ['held', 'breaker'] as const) {
    for (const verdict of ['approve', 'reject'] as const) {
      app.post<{ Params: { id: string }; Body: { reason?: string } }>(
        `/api/${queue}/:id/${verdict}`,
        { schema: { params: idParams, body: reasonBody } },
        (request, reply) =>
          forward(
            deps,
            reply,
            `${queue}-${verdict}`,
            `/v1/guard/${queue}/${encodeURIComponent(request.params.id)}/${verdict}`,
            request.viewerToken,
            request.body,
          ),
      )
    }
  }
  app.post<{ Params: { isp: string; agentId: string } }>(
    '/api/agents/:isp/:agentId/retire',
    {
      schema: {
        params: {
          type: 'object',
          required: ['isp', 'agentId'],
          properties: {
            isp: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
            agentId: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
          },
        },
      },
    },
    (request, reply) =>
      forward(
        deps,
        reply,
        'agent-retire',
        `/v1/agents/${encodeURIComponent(request.params.isp)}/${encodeURIComponent(request.params.agentId)}/retire`,
        request.viewerToken,
        {},
      ),
  )
  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/api/complaints/:id/decision',
    { schema: { params: idParams, body: decisionBody } },
    (request, reply) =>
      forward(
        deps,
        reply,
        'complaint-decision',
        `/v1/complaints/${encodeURIComponent(request.params.id)}/decision`,
        request.viewerToken,
        request.body,
      ),
  )
}
