/**
 * A stand-in gateway for the agent benchmarks: a bare WebSocket server on loopback that waits for
 * one agent's hello, sends it the frames a bench writes and resolves each revision's ack. It judges
 * nothing (no tokens, no history): the benches time the agent, not the gateway. `measuredAgent`
 * is the real agent they time.
 */
import { Agent } from '@offside/edge-agent'
import type { RevisionTiming } from '@offside/edge-agent/revision-timing'
import { trustedKeysFromPem } from '@offside/protocol'
import { WebSocketServer } from 'ws'

type Backend = ConstructorParameters<typeof Agent>[0]['backend']

export interface StandInGateway {
  /** Where the agent connects (its `gatewayUrls`). */
  url: string
  /** Resolves once the agent said hello; the function sends it one text frame. */
  hello(): Promise<(text: string) => void>
  /** Resolves when the agent acknowledges `revision`; ask before sending it. */
  ackOf(revision: number): Promise<void>
  close(): void
}

/** A logger that says nothing, for the agent under measure. */
export const silentLog = { info() {}, warn() {}, error() {}, debug() {} } as never

export async function startStandInGateway(): Promise<StandInGateway> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise((done) => server.once('listening', done))
  const acks = new Map<number, () => void>()
  let send: ((text: string) => void) | undefined
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; revision?: number }
      if (message.type === 'hello') send = (text) => socket.send(text)
      if (message.type === 'ack' && message.revision !== undefined) acks.get(message.revision)?.()
    })
  })
  return {
    url: `ws://127.0.0.1:${(server.address() as { port: number }).port}`,
    async hello() {
      for (let i = 0; i < 200 && !send; i++) await new Promise((done) => setTimeout(done, 25))
      if (!send) throw new Error('the agent did not say hello')
      return send
    },
    ackOf: (revision) => new Promise<void>((done) => acks.set(revision, done)),
    close: () => server.close(),
  }
}

/** The agent a bench measures: one real `Agent` on the stand-in gateway, and its timings. */
export interface MeasuredAgent {
  agent: Agent
  /** The agent's own timing of each revision it acknowledged, by revision. */
  timings: Map<number, RevisionTiming>
}

/** A real `Agent` pinned to `publicKeyPem`, with its state in `stateDir`, connecting to `gateway`. */
export function measuredAgent(
  gateway: StandInGateway,
  options: { backend: Backend; publicKeyPem: string; stateDir: string },
): MeasuredAgent {
  const timings = new Map<number, RevisionTiming>()
  const agent = new Agent({
    gatewayUrls: [gateway.url],
    token: 'isp_bench_0123456789abcdef',
    agentId: 'edge-bench',
    backend: options.backend,
    trustedKeys: trustedKeysFromPem([options.publicKeyPem]),
    stateDir: options.stateDir,
    log: silentLog,
    heartbeatMs: 60_000,
    onRevisionTiming: (timing) => timings.set(timing.revision, timing),
  })
  return { agent, timings }
}
