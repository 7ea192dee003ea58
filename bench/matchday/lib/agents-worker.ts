/**
 * One worker process of simulated agents: `count` real Agent instances (services/edge-agent's
 * client code: hello, signature verification against the pinned key, applying ops with core,
 * persisting through the real state journal, acknowledging) with the dry-run backend, each with
 * its own state folder. A process, not a thread: each has its own heap, event loop and libuv
 * thread pool (UV_THREADPOOL_SIZE, set by fleet.ts), as N machines would, instead of every agent
 * of the run sharing one process's four pool threads for its file writes.
 * Forked by fleet.ts; told what to run by its first message; stops when told to.
 */
import { join } from 'node:path'
import { Agent } from '@offside/edge-agent'
import { DryRunBackend } from '@offside/edge-agent/backends/dry-run'
import { loadTrustedKeys } from '@offside/protocol'
import { sharedSnapshotReaders } from './shared-snapshot.js'

export interface Work {
  gateway: string
  token: string
  publicKeyFile: string
  stateRoot: string
  first: number
  count: number
  heartbeatMs: number
}
export type WorkerRequest = { start: Work } | { timings: true } | { stop: true }

const silent = { info() {}, warn() {}, error() {}, debug() {} }
/** Where each applied revision's time went, per agent (queued = waiting for this process). */
export type Timing = Parameters<NonNullable<ConstructorParameters<typeof Agent>[0]['onRevisionTiming']>>[0]
const timings: Timing[] = []
const agents: Agent[] = []
const send = (message: unknown) => process.send?.(message)

async function start(work: Work) {
  const trustedKeys = await loadTrustedKeys([work.publicKeyFile])
  const readers = sharedSnapshotReaders()
  for (let i = work.first; i < work.first + work.count; i++) {
    const agentId = `edge-${i}`
    const agent = new Agent({
      gatewayUrls: [work.gateway],
      token: work.token,
      agentId,
      backend: new DryRunBackend(),
      trustedKeys,
      stateDir: join(work.stateRoot, agentId),
      log: silent as never,
      heartbeatMs: work.heartbeatMs, // as the bench's gateway (stack.ts)
      reconnectMaxMs: 1000,
      parse: readers.parse,
      verify: readers.verify,
      onRevisionTiming: (timing) => void timings.push(timing),
    })
    agents.push(agent)
    await agent.start()
  }
  send({ started: agents.length })
}

process.on('message', (message: WorkerRequest) => {
  if ('start' in message) {
    start(message.start).catch((err: Error) => send({ failed: err.stack ?? String(err) }))
  } else if ('timings' in message) {
    send({ timings: timings.splice(0) })
  } else if ('stop' in message) {
    void Promise.all(agents.map((agent) => agent.stop().catch(() => undefined))).then(() =>
      send({ stopped: true }),
    )
  }
})
// The bench went away without a goodbye: no orphaned agents left reconnecting.
process.on('disconnect', () => process.exit(0))
