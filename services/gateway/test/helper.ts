import { applyGroupOps, type EnforcementGroup, type GroupOp } from '@offside/core'
import {
  generateSigningKeyPair,
  signingKeyFromPem,
  type TrustedKeys,
  trustedKeysFromPem,
} from '@offside/protocol'
import {
  createDb,
  createToken,
  type Db,
  publishRevision,
  type RevisionCause,
  readSnapshot,
} from '@offside/store'
import { startRedis } from '@offside/testkit'
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import WebSocket from 'ws'
import { buildApp } from '../src/app.js'
import type { GatewayConfig } from '../src/config.js'

type Tap = { teardown(fn: () => unknown): void }

export interface TestGateway {
  app: FastifyInstance
  db: Db
  trusted: TrustedKeys
  ispToken: string
  redisUrl: string
  url: string
  /** Opens an agent connection with `token` (the ISP token by default); rejects when refused. */
  connect(token?: string, tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer }): Promise<WebSocket>
  /** Publishes a revision (as the scheduler would) and returns its number. */
  publish(ops: GroupOp[], cause?: Partial<RevisionCause>): Promise<number>
}

export function group(id: string, from: number, until: number, prefixes: string[]): EnforcementGroup {
  return { id, event: id.replace(/^w:/, ''), from, until, prefixes }
}

/** A real Redis and a gateway app on it; everything closes when the test ends. */
export async function startGateway(t: Tap, overrides: Partial<GatewayConfig> = {}): Promise<TestGateway> {
  const redisServer = await startRedis(t)
  const redis = new Redis(redisServer.url)
  t.teardown(() => redis.quit())
  const db = createDb(redis, 'offside:')
  const pair = generateSigningKeyPair()
  const config: GatewayConfig = {
    host: '127.0.0.1',
    port: 0,
    redisUrl: redisServer.url,
    keyPrefix: 'offside:',
    logLevel: 'silent',
    signingKeyFile: '',
    heartbeatMs: 10_000,
    maxBufferedBytes: 64 * 1024 * 1024,
    gatewayId: 'gw-test',
    maxAgentsPerIsp: 64,
    tls: null,
    ...overrides,
  }
  const app = await buildApp({ config, signingKey: signingKeyFromPem(pair.privateKeyPem) })
  t.teardown(() => app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const url = `${config.tls ? 'wss' : 'ws'}://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1/agents/stream`
  const { token: ispToken } = await createToken(db, { org: 'isp-a', role: 'isp', now: Date.now() })
  const publish = async (ops: GroupOp[], cause: Partial<RevisionCause> = {}) => {
    const snapshot = await readSnapshot(db)
    const groups = applyGroupOps(snapshot.groups, ops)
    const result = await publishRevision(db, {
      previous: snapshot.revision,
      issuedAt: Date.now(),
      cause: { kind: 'list-upload', requestedAt: Date.now(), ...cause },
      ops,
      groups,
      live: [],
      enforcedCount: 0,
    })
    if (result.status !== 'published') throw new Error(`publish failed: ${result.status}`)
    return result.record.revision
  }
  const connect = (token = ispToken, tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {}) =>
    new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, ...tls })
      t.teardown(() => socket.terminate())
      socket.once('open', () => resolve(socket))
      socket.once('error', reject)
    })
  return {
    app,
    db,
    url,
    connect,
    trusted: trustedKeysFromPem([pair.publicKeyPem]),
    ispToken,
    redisUrl: redisServer.url,
    publish,
  }
}
