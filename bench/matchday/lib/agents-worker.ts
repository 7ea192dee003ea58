/**
 * One worker thread of simulated agents: `count` real Agent instances (services/edge-agent's
 * client code: hello, signature verification against the pinned key, applying ops with core,
 * persisting, acknowledging) with the dry-run backend, each with its own state folder.
 * Started by bench/matchday/run.ts; stops when told to.
 */
import { join } from 'node:path'
import { parentPort, workerData } from 'node:worker_threads'
import { Agent } from '@offside/edge-agent'
import { DryRunBackend } from '@offside/edge-agent/backends/dry-run'
import { loadTrustedKeys } from '@offside/protocol'
import { sharedSnapshotReaders } from './shared-snapshot.js'

interface Work {
  gateway: string
  token: string
  publicKeyFile: string
  stateRoot: string
  first: number
  count: number
}

const work = workerData as Work
const silent = { info() {}, warn() {}, error() {}, debug() {} }
const trustedKeys = await loadTrustedKeys([work.publicKeyFile])
const agents: Agent[] = []
const readers = sharedSnapshotReaders()
/** Where each applied revision's time went, per agent (queued = waiting for this thread). */
type Timing = Parameters<NonNullable<ConstructorParameters<typeof Agent>[0]['onRevisionTiming']>>[0]
const timings: Timing[] = []
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
    heartbeatMs: 60_000, // as the bench's gateway (run.ts)
    reconnectMaxMs: 1000,
    parse: readers.parse,
    verify: readers.verify,
    onRevisionTiming: (timing) => void timings.push(timing),
  })
  agents.push(agent)
  await agent.start()
}
parentPort?.postMessage({ started: agents.length })
parentPort?.on('message', async (message: { stop?: boolean; timings?: boolean }) => {
  if (message.timings) {
    parentPort?.postMessage({ timings: timings.splice(0) })
    return
  }
  if (!message.stop) return
  await Promise.all(agents.map((agent) => agent.stop().catch(() => undefined)))
  parentPort?.postMessage({ stopped: true })
})
