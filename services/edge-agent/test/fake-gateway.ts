import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EnforcementGroup, GroupOp } from '@offside/core'
import {
  type AgentMessage,
  type Cause,
  generateSigningKeyPair,
  parseAgentMessage,
  type SigningKey,
  signingKeyFromPem,
  signPayload,
  type TrustedKeys,
  trustedKeysFromPem,
} from '@offside/protocol'
import { pino } from 'pino'
import { type WebSocket, WebSocketServer } from 'ws'
import { Agent, type AgentLog } from '../src/agent.js'
import { DryRunBackend } from '../src/backends/dry-run.js'

type Tap = { teardown(fn: () => unknown): void }

/**
 * A stand-in gateway for agent tests: a real websocket server on loopback that records what the
 * agent says and sends whatever the test tells it to, signed with its own key (or not).
 */
export async function startFakeGateway(t: Tap, options: { refuseWith?: number } = {}) {
  const upgrades: (string | undefined)[] = []
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    // Like the real gateway's auth hook: a refused token never reaches the websocket.
    verifyClient: (info, done) => {
      upgrades.push(info.req.headers.authorization)
      if (options.refuseWith) done(false, options.refuseWith)
      else done(true)
    },
  })
  await new Promise((resolve) => server.once('listening', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  const pair = generateSigningKeyPair()
  const key: SigningKey = signingKeyFromPem(pair.privateKeyPem)
  const received: AgentMessage[] = []
  const sockets: WebSocket[] = []
  const headers: (string | undefined)[] = []
  server.on('connection', (socket, request) => {
    headers.push(request.headers.authorization)
    sockets.push(socket)
    socket.on('message', (data) => {
      const parsed = parseAgentMessage(String(data))
      if (parsed.ok) received.push(parsed.message)
    })
  })
  const current = () => sockets.at(-1)
  const waitFor = async <M extends AgentMessage>(
    match: (m: AgentMessage) => m is M,
    what: string,
    from = 0,
  ) => {
    const deadline = Date.now() + 8000
    for (;;) {
      const found = received.slice(from).find(match)
      if (found) return found
      if (Date.now() > deadline)
        throw new Error(`no ${what} arrived; got ${JSON.stringify(received.slice(from))}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/agents/stream`,
    trusted: trustedKeysFromPem([pair.publicKeyPem]) as TrustedKeys,
    /** The public key to pin, for an agent run as its own process. */
    publicKeyPem: pair.publicKeyPem,
    key,
    received,
    sockets,
    headers,
    upgrades,
    snapshot(revision: number, groups: EnforcementGroup[], signWith = key) {
      current()?.send(
        JSON.stringify({
          v: 1,
          type: 'snapshot',
          ...signPayload({ kind: 'snapshot', revision, issuedAt: Date.now(), groups }, signWith),
        }),
      )
    },
    delta(
      revision: number,
      ops: GroupOp[],
      options: { signWith?: SigningKey; tamper?: (ops: GroupOp[]) => GroupOp[] } = {},
    ) {
      const cause: Cause = { kind: 'hot-addition' }
      const signed = signPayload(
        { kind: 'delta', revision, issuedAt: Date.now(), cause, ops },
        options.signWith ?? key,
      )
      const payload = options.tamper ? { ...signed.payload, ops: options.tamper(ops) } : signed.payload
      current()?.send(JSON.stringify({ v: 1, type: 'delta', ...signed, payload }))
    },
    raw(text: string) {
      current()?.send(text)
    },
    waitForHello: (from = 0) =>
      waitFor((m): m is Extract<AgentMessage, { type: 'hello' }> => m.type === 'hello', 'hello', from),
    waitForAck: (revision: number) =>
      waitFor(
        (m): m is Extract<AgentMessage, { type: 'ack' }> => m.type === 'ack' && m.revision === revision,
        `ack ${revision}`,
      ),
    waitForError: (code: string) =>
      waitFor(
        (m): m is Extract<AgentMessage, { type: 'error' }> => m.type === 'error' && m.code === code,
        `error ${code}`,
      ),
  }
}

/** An agent with the dry-run backend and a temporary state folder, stopped at teardown. */
export async function startAgent(
  t: Tap,
  gateway: { url: string; trusted: TrustedKeys },
  options: { stateDir?: string; heartbeatMs?: number; reconnectMaxMs?: number; log?: AgentLog } = {},
) {
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'offside-agent-')))
  if (!options.stateDir) t.teardown(() => rm(stateDir, { recursive: true, force: true }))
  const backend = new DryRunBackend()
  const agent = new Agent({
    gatewayUrls: [gateway.url],
    token: 'ofs_test-token',
    agentId: 'edge-1',
    backend,
    trustedKeys: gateway.trusted,
    stateDir,
    log: options.log ?? pino({ level: 'silent' }),
    tickMs: 50,
    ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
    ...(options.reconnectMaxMs ? { reconnectMaxMs: options.reconnectMaxMs } : {}),
  })
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    await agent.stop()
  }
  t.teardown(stop)
  await agent.start()
  return { agent, backend, stateDir, stop }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A logger that keeps every line, to assert what an operator would read in the journal. */
export function recordingLog() {
  const lines: { level: string; details: Record<string, unknown>; message: string }[] = []
  const at =
    (level: string) =>
    (details: object, message: string): void => {
      lines.push({ level, details: details as Record<string, unknown>, message })
    }
  const log: AgentLog = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
  return { log, lines }
}

/** Waits until `check` holds, polling; fails after `ms`. */
export async function until(check: () => boolean, what: string, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}
