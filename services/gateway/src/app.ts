/**
 * The gateway as a Fastify app: the agents' websocket stream (`/v1/agents/stream`) and health,
 * readiness and metrics. Never listens (server.ts does). All shared state is in Redis, so any
 * number of gateway processes on one Redis behave as one.
 */

import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import websocket from '@fastify/websocket'
import { loadSigningKey, type SigningKey } from '@offside/protocol'
import { bearerAuth, bearerToken, condition, healthPlugin, type Log, metricsPlugin } from '@offside/service'
import {
  blockingDb,
  claimAgentConnection,
  connectRedis,
  createDb,
  type RevisionRecord,
  recordRevisionReference,
  releaseAgentConnection,
  verifyToken,
} from '@offside/store'
import Fastify, { type FastifyInstance } from 'fastify'
import type { GatewayConfig } from './config.js'
import { RevisionFeed } from './feed.js'
import { createMetrics } from './metrics.js'
import { AgentSession } from './session.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The ISP organisation an agent's token speaks for (set by the auth hook). */
    isp: string
    /** The ISP connection slot this request holds (see agent-connections.ts). */
    connectionId: string
  }
}

export interface BuildOptions {
  config: GatewayConfig
  /** The process's pino logger; none in tests. */
  logger?: Log
  /** Tests may pass the key instead of a file. */
  signingKey?: SigningKey
  now?: () => number
}

/** Timed-window causes are measured from their scheduled instant, triggers from their issue. */
function referenceOf(record: RevisionRecord) {
  const { cause } = record
  return {
    revision: record.revision,
    kind: cause.kind,
    issuedAt: record.issuedAt,
    ...(cause.scheduledAt !== undefined ? { scheduledAt: cause.scheduledAt } : {}),
    ...(cause.event !== undefined ? { event: cause.event } : {}),
    reference: cause.scheduledAt ?? record.issuedAt,
  }
}

/** Builds the gateway; its Redis connections and agent sockets close with it. */
export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options
  const now = options.now ?? Date.now
  const signingKey = options.signingKey ?? (await loadSigningKey(config.signingKeyFile))
  // Agent sockets never go idle; closing must not wait for them to hang up.
  const { tls } = config
  const https = tls
    ? {
        https: {
          cert: readFileSync(tls.certFile),
          key: readFileSync(tls.keyFile),
          // Mutual TLS: only agents with a certificate from the ISPs' CA get as far as the token check.
          ...(tls.clientCaFile
            ? { ca: readFileSync(tls.clientCaFile), requestCert: true, rejectUnauthorized: true }
            : {}),
        },
      }
    : {}
  const app = options.logger
    ? Fastify({ loggerInstance: options.logger, forceCloseConnections: true, ...https })
    : Fastify({ logger: false, forceCloseConnections: true, ...https })
  const redis = connectRedis(config.redisUrl, { maxRetriesPerRequest: 2 })
  const db = createDb(redis, config.keyPrefix)
  // A blocked XREAD holds its connection, so the feed gets one of its own.
  const blocking = blockingDb(db)
  for (const client of [redis, blocking.redis])
    client.on('error', (err) => app.log.error({ err }, 'redis error'))
  const sessions = new Set<AgentSession>()
  const metrics = createMetrics(() => sessions.size)

  const feed = new RevisionFeed({
    db,
    blocking,
    signingKey,
    log: app.log,
    onRevision: (record) => {
      recordRevisionReference(db, referenceOf(record)).catch((err) =>
        app.log.error({ err, revision: record.revision }, 'cannot record the revision for compliance'),
      )
    },
  })
  await feed.start()

  const heartbeats = setInterval(() => {
    for (const session of sessions) {
      session.heartbeat().catch((err) => app.log.error({ err, ...session.agent }, 'heartbeat failed'))
    }
  }, config.heartbeatMs)

  await app.register(websocket, { options: { maxPayload: 1024 * 1024 } })

  await app.register(healthPlugin, {
    checks: { feed: condition(() => feed.running, 'not following the revisions'), redis: () => redis.ping() },
  })
  await app.register(metricsPlugin, { registry: metrics.registry })

  await app.register(async (stream) => {
    stream.decorateRequest('isp', '')
    stream.decorateRequest('connectionId', '')
    stream.addHook(
      'preValidation',
      bearerAuth({
        title: 'An ISP token is required (Authorization: Bearer <token>)',
        authenticate: async (token) => {
          const identity = await verifyToken(db, token)
          return identity?.role === 'isp' ? identity : null
        },
        accept: (request, identity) => {
          request.isp = identity.org
        },
      }),
    )
    stream.addHook('preValidation', async (request, reply) => {
      const isp = request.isp
      request.connectionId = `${config.gatewayId}/${randomUUID()}`
      const claimed = await claimAgentConnection(db, {
        isp,
        id: request.connectionId,
        now: now(),
        ttlMs: 3 * config.heartbeatMs,
        cap: config.maxAgentsPerIsp,
      })
      if (!claimed) {
        app.log.warn({ isp, cap: config.maxAgentsPerIsp }, 'ISP at its agent connection cap; refused')
        return reply
          .code(429)
          .type('application/problem+json')
          .send({
            type: 'about:blank',
            title: `ISP "${isp}" already holds ${config.maxAgentsPerIsp} agent connections`,
            status: 429,
            code: 'OFFSIDE_TOO_MANY_AGENTS',
          })
      }
    })

    stream.get('/v1/agents/stream', { websocket: true }, (socket, request) => {
      const token = bearerToken(request)
      const session = new AgentSession({
        stillAuthorised: async () => (await verifyToken(db, token))?.role === 'isp',
        socket,
        isp: request.isp,
        db,
        feed,
        metrics,
        log: app.log,
        gatewayId: config.gatewayId,
        heartbeatMs: config.heartbeatMs,
        maxBufferedBytes: config.maxBufferedBytes,
        now,
        renewSlot: () =>
          claimAgentConnection(db, {
            isp: request.isp,
            id: request.connectionId,
            now: now(),
            ttlMs: 3 * config.heartbeatMs,
            cap: config.maxAgentsPerIsp,
          }),
      })
      sessions.add(session)
      // Frames are handled one at a time, in order; listeners are attached before any await.
      let work = Promise.resolve()
      socket.on('message', (data, isBinary) => {
        const text = isBinary ? '' : String(data)
        work = work
          .then(() => session.receive(text))
          .catch((err) => app.log.error({ err, ...session.agent }, 'cannot handle an agent message'))
      })
      socket.on('error', (err) => app.log.warn({ err, ...session.agent }, 'agent socket error'))
      socket.on('close', () => {
        sessions.delete(session)
        releaseAgentConnection(db, request.isp, request.connectionId).catch((err) =>
          app.log.warn({ err, isp: request.isp }, 'cannot release the connection slot'),
        )
        work = work
          .then(() => session.closed())
          .catch((err) => app.log.error({ err, ...session.agent }, 'cannot record the disconnect'))
      })
    })
  })

  app.addHook('onClose', async () => {
    clearInterval(heartbeats)
    await feed.close()
    await redis.quit().catch(() => redis.disconnect())
  })
  return app
}
