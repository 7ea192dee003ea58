import { performance } from 'node:perf_hooks'
import {
  activeAt,
  applyGroupOps,
  type EnforcementGroup,
  fromSnapshotGroups,
  type GroupOp,
  shareCovers,
} from '@offside/core'
import {
  type AckMessage,
  type AgentMessage,
  type DeltaPayload,
  type ErrorCode,
  historyOf,
  PROTOCOL_VERSION,
  parseGatewayMessage,
  type SnapshotPayload,
  type TrustedKeys,
  verifySigned,
} from '@offside/protocol'
import WebSocket from 'ws'
import { applicableOps } from './applicable-ops.js'
import { backendNames } from './backends/combined.js'
import type { ApplyReport, Backend } from './backends/types.js'
import { type ConnectionProblem, describeRefusal, readiness } from './readiness.js'
import { reconnectDelay } from './reconnect-delay.js'
import { RevisionClock, type RevisionTiming } from './revision-timing.js'
import { SafetyNetBackend } from './safety-net.js'
import type { AgentState } from './state-file.js'
import { StateStore } from './state-journal.js'
import { AGENT_VERSION } from './version.js'

/** A pino-like logger. */
export interface AgentLog {
  debug(details: object, message: string): void
  info(details: object, message: string): void
  warn(details: object, message: string): void
  error(details: object, message: string): void
}

export interface AgentOptions {
  /**
   * The gateways' stream URLs, e.g. `ws://127.0.0.1:8081/v1/agents/stream` (a URL without a path
   * gets `/v1/agents/stream`). Several are tried in turn, one per reconnect.
   */
  gatewayUrls: string[]
  /** The ISP's bearer token. */
  token: string
  /** For wss://: a private CA to trust, and a client certificate and key for mutual TLS (PEM). */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer }
  agentId: string
  backend: Backend
  /** The pinned public keys; anything signed by another key is refused. */
  trustedKeys: TrustedKeys
  /** Where the applied state is persisted (survives restarts). */
  stateDir: string
  log: AgentLog
  /** Heartbeat period; the connection is dropped after three silent periods. Default 10 s. */
  heartbeatMs?: number
  /** How often expiry and backend time-driven work run. Default 250 ms. */
  tickMs?: number
  /** Longest wait between reconnect attempts. Default 30 s. */
  reconnectMaxMs?: number
  /** Clock offset from the gateway past which the agent alarms (status, readiness, log). Default 2 s. */
  maxClockOffsetMs?: number
  now?: () => number
  /** Called after each acknowledged revision with where its time went (benchmarks, traces). */
  onRevisionTiming?: (timing: RevisionTiming) => void
  /**
   * Reads a gateway frame (parse and validate) and checks a revision's signature. The defaults
   * are the protocol's; bench/matchday passes readers that share one verified snapshot between
   * many simulated agents of one process (the bytes are the same, so is the verdict).
   */
  parse?: (text: string) => ReturnType<typeof parseGatewayMessage>
  verify?: typeof verifySigned
}

/** What the agent is doing, for /status, /metrics and tests. */
export interface AgentStatus {
  agentId: string
  backend: string
  connected: boolean
  revision: number
  groups: number
  /** Prefixes enforced now (kept for clients; = enforcedPrefixes). */
  enforced: number
  /** Prefixes waiting for their group's `from` (kept for clients; = stagedPrefixes). */
  staged: number
  /** The same counts under their distinct names, as in the acknowledgements and `GET /v1/state`. */
  enforcedPrefixes: number
  stagedPrefixes: number
  rejected: number
  applied: number
  /** Deltas ignored because they were already applied (resent after a reconnect). */
  duplicates: number
  /** Deltas that skipped revisions (the agent reconnected to fetch the missing ones). */
  gaps: number
  reconnects: number
  /** Times the control plane's history changed under the agent (its Redis restored or emptied). */
  historyChanges: number
  /** Deltas refused because a copy named a group the agent no longer held (it asked for a snapshot). */
  unknownGroups: number
  /** The history the applied revision belongs to (absent before a gateway named one). */
  epoch?: string
  /**
   * This clock minus the gateway's (ms), from the last heartbeat round trip, and whether it is
   * past the bound: a skewed agent switches every window on and off that much early or late.
   */
  clock?: { offsetMs: number; roundTripMs: number; measuredAt: number; skewed: boolean; maxOffsetMs: number }
  gateway: string
  /** The agent's software release, also sent in its hello. */
  version: string
  /** Highest revision any gateway message named (applied or not); above `revision` = behind. */
  latestRevisionSeen: number
  /** Why the last message was refused, while no later revision has been applied since. */
  refusing?: { code: ErrorCode; reason: string; revision?: number }
  /** Why the gateway cannot be used now (token refused, unreachable), until it connects again. */
  connectionProblem?: ConnectionProblem
  /** What the ISP's safety net refused from the groups held now (absent without one). */
  safetyNet?: ReturnType<SafetyNetBackend['refusals']>
}

/** The stream URL of a gateway given as `ws://host:port` or with its full path. */
export function streamUrl(url: string): string {
  const parsed = new URL(url)
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/v1/agents/stream'
  return parsed.toString()
}

/** Groups whose `until` has not passed: nothing is ever enforced past `until`. */
function unexpired(groups: EnforcementGroup[], now: number): EnforcementGroup[] {
  return groups.filter((group) => group.until > now)
}

/**
 * The counts an ack carries, picked field by field from the backend's report: a backend (or a
 * wrapper such as the safety net) may know more than the protocol says, and only protocol fields
 * travel. Names are sent only by an agent with a DNS backend.
 */
function ackCounts(report: ApplyReport & Partial<Pick<AckMessage, 'refused' | 'refusedCount'>>) {
  const { enforced, staged, notFitting, enforcedNames, stagedNames, refused, refusedCount } = report
  return {
    enforced,
    staged,
    notFitting,
    ...(enforcedNames !== undefined ? { enforcedNames } : {}),
    ...(stagedNames !== undefined ? { stagedNames } : {}),
    ...(refused !== undefined ? { refused } : {}),
    ...(refusedCount !== undefined ? { refusedCount } : {}),
  } satisfies Omit<AckMessage, 'v' | 'type' | 'revision' | 'appliedAt'>
}

/**
 * The edge agent: keeps a websocket to the gateway, verifies and applies signed revisions in
 * order through its backend, persists before acknowledging, and ends enforcement at each group's
 * `until` by its own clock even when the control plane is unreachable.
 */
export class Agent {
  readonly #options: Required<Omit<AgentOptions, 'now' | 'onRevisionTiming' | 'parse' | 'verify'>> &
    Pick<AgentOptions, 'onRevisionTiming'> &
    Required<Pick<AgentOptions, 'now' | 'parse' | 'verify'>>
  #state: AgentState = { revision: 0, groups: [] }
  #socket: WebSocket | undefined
  /** Every change of state runs on this chain, one at a time, in arrival order. */
  #work: Promise<void> = Promise.resolve()
  /** Where the state is persisted (snapshot + journal); opened by start(). */
  #store: StateStore | undefined
  #attempt = 0
  #stopped = false
  #lastHeard = 0
  #timers: NodeJS.Timeout[] = []
  #reconnectTimer: NodeJS.Timeout | undefined
  #counters = {
    rejected: 0,
    applied: 0,
    duplicates: 0,
    gaps: 0,
    reconnects: 0,
    historyChanges: 0,
    unknownGroups: 0,
  }
  /** Set when a delta could not follow the state (a copy of a group not held): the next hello asks for a snapshot. */
  #wantsSnapshot = false
  #gatewayIndex = 0
  #latestRevisionSeen = 0
  #refusing: AgentStatus['refusing']
  /** The last measure of this clock minus the gateway's, and the round trip it came from. */
  #clock: { offsetMs: number; roundTripMs: number; measuredAt: number } | undefined
  #skewed = false
  #connectionProblem: ConnectionProblem | undefined

  constructor(options: AgentOptions) {
    this.#options = {
      heartbeatMs: 10_000,
      tickMs: 250,
      reconnectMaxMs: 30_000,
      maxClockOffsetMs: 2_000,
      now: Date.now,
      parse: parseGatewayMessage,
      verify: verifySigned,
      tls: {},
      ...options,
    }
  }

  get revision(): number {
    return this.#state.revision
  }

  /** Restores the persisted state into the backend, then connects. */
  async start(): Promise<void> {
    const { backend, stateDir, tickMs, heartbeatMs, now } = this.#options
    const { store, state: persisted } = await StateStore.open(stateDir, (err) =>
      this.#options.log.error({ err }, 'compacting the state journal failed; the journal goes on'),
    )
    this.#store = store
    const at = now()
    this.#state = { ...persisted, groups: shareCovers(unexpired(persisted.groups, at)) }
    delete this.#state.journal
    await backend.reconcile(this.#state.groups, at)
    this.#timers.push(setInterval(() => this.#enqueue(() => this.#tick()), tickMs))
    this.#timers.push(setInterval(() => this.#heartbeat(), heartbeatMs))
    this.#connect()
  }

  /** Disconnects and releases the backend; what the backend enforces stays until its `until`. */
  async stop(): Promise<void> {
    this.#stopped = true
    for (const timer of this.#timers) clearInterval(timer)
    clearTimeout(this.#reconnectTimer)
    this.#socket?.close(1000, 'agent stopping')
    await this.#work
    await this.#store?.close()
    await this.#options.backend.close()
  }

  /** The groups the device holds: the state, minus what the safety net refused. */
  #held(): EnforcementGroup[] {
    const { backend } = this.#options
    return backend instanceof SafetyNetBackend ? backend.enforceable() : this.#state.groups
  }

  status(): AgentStatus {
    const at = this.#options.now()
    const held = this.#held()
    const { backend } = this.#options
    let staged = 0
    for (const group of held) if (group.from > at) staged += group.prefixes.length
    const enforcedPrefixes = activeAt(held, at).length
    return {
      agentId: this.#options.agentId,
      backend: this.#options.backend.name,
      connected: this.#socket?.readyState === WebSocket.OPEN,
      revision: this.#state.revision,
      groups: this.#state.groups.length,
      enforced: enforcedPrefixes,
      staged,
      enforcedPrefixes,
      stagedPrefixes: staged,
      ...this.#counters,
      ...(this.#state.epoch !== undefined ? { epoch: this.#state.epoch } : {}),
      ...(this.#clock
        ? { clock: { ...this.#clock, skewed: this.#skewed, maxOffsetMs: this.#options.maxClockOffsetMs } }
        : {}),
      gateway: this.#currentGateway(),
      version: AGENT_VERSION,
      latestRevisionSeen: Math.max(this.#latestRevisionSeen, this.#state.revision),
      ...(this.#refusing ? { refusing: this.#refusing } : {}),
      ...(this.#connectionProblem ? { connectionProblem: this.#connectionProblem } : {}),
      ...(backend instanceof SafetyNetBackend ? { safetyNet: backend.refusals() } : {}),
    }
  }

  /** Ready = connected, token accepted, nothing being refused, and not behind the gateway. */
  readiness(): { ready: boolean; problems: string[] } {
    return readiness(this.status())
  }

  /** The prefixes enforced now, by the agent's state (what the backend was told to enforce). */
  enforcedPrefixes(): string[] {
    return activeAt(this.#held(), this.#options.now()).map((entry) => entry.prefix)
  }

  #enqueue(job: () => Promise<void>): void {
    this.#work = this.#work.then(job).catch((err) => this.#options.log.error({ err }, 'agent job failed'))
  }

  #currentGateway(): string {
    const urls = this.#options.gatewayUrls
    return streamUrl(urls[this.#gatewayIndex % urls.length] ?? '')
  }

  #connect(): void {
    if (this.#stopped) return
    const { token, log } = this.#options
    const gatewayUrl = this.#currentGateway()
    const socket = new WebSocket(gatewayUrl, {
      headers: { authorization: `Bearer ${token}` },
      handshakeTimeout: 10_000,
      ...this.#options.tls,
    })
    this.#socket = socket
    // A refused upgrade (401/403: the token) is told once in plain words, not as a stack per retry.
    socket.on('unexpected-response', (request, response) => {
      this.#problem(describeRefusal(gatewayUrl, response.statusCode ?? 0))
      response.resume()
      request.destroy()
      socket.terminate()
    })
    socket.on('open', () => {
      this.#attempt = 0
      this.#lastHeard = this.#options.now()
      if (this.#connectionProblem) log.info({ gatewayUrl }, 'the gateway accepts the agent again')
      this.#connectionProblem = undefined
      log.info({ gatewayUrl }, 'connected to the gateway')
      // Queued so that the revision it announces is the one after any work still running.
      this.#enqueue(async () => this.#sendHello(socket))
    })
    socket.on('message', (data) => {
      const received = performance.now()
      this.#lastHeard = this.#options.now()
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString()
      this.#enqueue(() => this.#receive(socket, text, new RevisionClock(received)))
    })
    socket.on('error', (err) => {
      if (this.#connectionProblem?.kind === 'token-refused') return // already said, in its words
      this.#problem({ kind: 'unreachable', gateway: gatewayUrl, reason: err.message })
    })
    socket.on('close', (code) => {
      if (socket !== this.#socket || this.#stopped) return
      const delay = reconnectDelay(this.#attempt++, 250, this.#options.reconnectMaxMs)
      this.#counters.reconnects++
      this.#gatewayIndex++ // the next gateway in the list, if there are several
      log.info({ code, delay }, 'gateway connection closed; reconnecting')
      this.#reconnectTimer = setTimeout(() => this.#connect(), delay)
    })
  }

  /** Records why the gateway cannot be used; logs it only when it differs from the last one. */
  #problem(problem: ConnectionProblem): void {
    const previous = this.#connectionProblem
    this.#connectionProblem = problem
    if (previous?.kind === problem.kind && previous.reason === problem.reason) return
    if (problem.kind === 'token-refused')
      this.#options.log.error({ gateway: problem.gateway }, problem.reason)
    else
      this.#options.log.warn({ gateway: problem.gateway, reason: problem.reason }, 'cannot reach the gateway')
  }

  #send(socket: WebSocket, message: AgentMessage): void {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message))
  }

  async #sendHello(socket: WebSocket): Promise<void> {
    // Out of step with the control plane: a hello of revision 0 gets the snapshot (§4), which
    // replaces the state as a whole; the persisted revision stays what it was until then.
    const fresh = this.#wantsSnapshot
    this.#wantsSnapshot = false
    this.#send(socket, {
      v: PROTOCOL_VERSION,
      type: 'hello',
      agentId: this.#options.agentId,
      lastRevision: fresh ? 0 : this.#state.revision,
      capabilities: backendNames(this.#options.backend).map((name) => `backend:${name}`),
      agentVersion: AGENT_VERSION,
      // Which history the revision is of, so the gateway can tell a rewound control plane (§4).
      ...(fresh ? {} : historyOf(this.#state)),
    })
  }

  #heartbeat(): void {
    const socket = this.#socket
    if (!socket || socket.readyState !== WebSocket.OPEN) return
    const at = this.#options.now()
    if (at - this.#lastHeard > 3 * this.#options.heartbeatMs) {
      this.#options.log.warn({ silentMs: at - this.#lastHeard }, 'gateway silent; reconnecting')
      socket.terminate()
      return
    }
    this.#send(socket, { v: PROTOCOL_VERSION, type: 'heartbeat', at, ...this.#clockReport() })
  }

  /** The last measured offset and alarm, for acks and heartbeats (nothing before a measure). */
  #clockReport(): { clockOffsetMs?: number; clockSkewed?: boolean } {
    return this.#clock ? { clockOffsetMs: this.#clock.offsetMs, clockSkewed: this.#skewed } : {}
  }

  /** Refuses a message: logged, reported to the gateway, and enforcement left as it was. */
  #refuse(socket: WebSocket, code: ErrorCode, message: string, revision?: number): void {
    this.#counters.rejected++
    this.#refusing = { code, reason: message, ...(revision ? { revision } : {}) }
    if (revision) this.#latestRevisionSeen = Math.max(this.#latestRevisionSeen, revision)
    this.#options.log.warn({ code, revision, reason: message }, 'refused a message from the gateway')
    this.#send(socket, {
      v: PROTOCOL_VERSION,
      type: 'error',
      code,
      message,
      ...(revision ? { revision } : {}),
    })
  }

  async #receive(socket: WebSocket, text: string, clock: RevisionClock): Promise<void> {
    if (socket !== this.#socket) return // a frame from a connection already replaced
    clock.lap('queued')
    const parsed = this.#options.parse(text)
    if (!parsed.ok) return this.#refuse(socket, parsed.code, parsed.message)
    const message = parsed.message
    if (message.type === 'heartbeat') return this.#measureClock(message.at, message.echo)
    if (message.type === 'error') {
      this.#options.log.warn({ code: message.code, reason: message.message }, 'gateway reported an error')
      return
    }
    this.#latestRevisionSeen = Math.max(this.#latestRevisionSeen, message.payload.revision)
    const verdict = this.#options.verify(message, this.#options.trustedKeys)
    if (!verdict.ok) return this.#refuse(socket, verdict.code, verdict.message, message.payload.revision)
    this.#refusing = undefined // a verified message: the gateway and the pinned key agree again
    clock.lap('verify')
    if (message.type === 'snapshot') await this.#applySnapshot(socket, message.payload, clock)
    else await this.#applyDelta(socket, message.payload, clock)
  }

  async #applySnapshot(socket: WebSocket, snapshot: SnapshotPayload, clock: RevisionClock): Promise<void> {
    if (snapshot.revision < this.#state.revision) {
      const reason = `snapshot ${snapshot.revision} is older than applied revision ${this.#state.revision}`
      return this.#refuse(socket, 'bad-message', reason, snapshot.revision)
    }
    const at = this.#options.now()
    // Windows sharing a cover share one array, so each patch of it is applied and counted once
    // (a group the snapshot sent as naming its source's cover already does).
    const groups = shareCovers(unexpired(fromSnapshotGroups(snapshot.groups), at))
    const { epoch } = this.#state
    if (epoch !== undefined && snapshot.epoch !== undefined && snapshot.epoch !== epoch) {
      this.#counters.historyChanges++
      this.#options.log.warn(
        { epoch, revision: this.#state.revision, newEpoch: snapshot.epoch, newRevision: snapshot.revision },
        "the control plane's history changed (its Redis was restored or emptied); reconciling from its snapshot",
      )
    }
    clock.lap('apply')
    await this.#commit(
      socket,
      { revision: snapshot.revision, groups, ...historyOf(snapshot) },
      () => this.#options.backend.reconcile(groups, at),
      'snapshot',
      clock,
    )
  }

  async #applyDelta(socket: WebSocket, delta: DeltaPayload, clock: RevisionClock): Promise<void> {
    const { revision, epoch } = this.#state
    if (epoch !== undefined && delta.epoch !== undefined && delta.epoch !== epoch) {
      // A delta of another history cannot follow this state: the hello on reconnect names this
      // history, and the gateway answers with the snapshot of its own.
      this.#counters.historyChanges++
      this.#refuse(socket, 'revision-gap', `revision ${delta.revision} is of another history`, delta.revision)
      socket.close(4000, 'history changed')
      return
    }
    if (delta.revision <= revision) {
      this.#counters.duplicates++ // already applied (a resend after a reconnect)
      return
    }
    if (delta.revision !== revision + 1) {
      this.#counters.gaps++
      this.#refuse(
        socket,
        'revision-gap',
        `expected revision ${revision + 1}, got ${delta.revision}`,
        delta.revision,
      )
      socket.close(4000, 'revision gap') // the reconnect's hello asks for what is missing
      return
    }
    const at = this.#options.now()
    const applicable = applicableOps(this.#state.groups, delta.ops)
    if (!applicable.ok) return this.#outOfStep(socket, delta.revision, applicable.source, applicable.id)
    const { ops } = applicable
    // A revision without ops (a window opening or closing by the clock) changes no group: nothing
    // to rebuild, and only its number needs persisting.
    // applicableOps left out every op that names a group not held, so applying cannot fail on one.
    const groups = unexpired(
      ops.length === 0 ? this.#state.groups : applyGroupOps(this.#state.groups, ops),
      at,
    )
    clock.lap('apply')
    await this.#commit(
      socket,
      { revision: delta.revision, groups, ...historyOf(delta) },
      () => this.#options.backend.apply(ops, groups, at),
      ops,
      clock,
    )
  }

  /**
   * A delta names a group the agent does not hold (a copy from a group it expired by its clock,
   * or a wrong control plane): refused whole, with nothing changed, and the agent reconnects
   * asking for a snapshot. Enforcement goes on meanwhile from the state it holds.
   */
  #outOfStep(socket: WebSocket, revision: number, source: string, id: string): void {
    this.#counters.unknownGroups++
    this.#refuse(
      socket,
      'unknown-group',
      `revision ${revision} copies group ${id} from ${source}, which this agent does not hold; asking for a snapshot`,
      revision,
    )
    this.#wantsSnapshot = true
    socket.close(4000, 'unknown group')
  }

  /**
   * Programs the backend, persists, then acknowledges; on failure restores the previous state.
   * A delta is persisted as one journal line of its ops (state-journal.ts: an append and an
   * fdatasync, whatever the size of the groups); a snapshot replaces the persisted state. The
   * journal is compacted in the background once it is long enough, so no ack waits for it.
   */
  async #commit(
    socket: WebSocket,
    next: AgentState,
    program: () => Promise<ApplyReport>,
    change: GroupOp[] | 'snapshot',
    clock: RevisionClock,
  ): Promise<void> {
    const { backend, log, now } = this.#options
    const { revision } = next
    let report: ApplyReport
    try {
      report = await program()
    } catch (err) {
      log.error({ err, revision }, 'backend could not apply the revision; keeping the previous enforcement')
      await backend.reconcile(this.#state.groups, now()).catch((e) => log.error({ err: e }, 'restore failed'))
      this.#refuse(socket, 'apply-failed', err instanceof Error ? err.message : String(err), revision)
      socket.close(4001, 'apply failed') // retried after the reconnect back-off
      return
    }
    clock.lap('backend')
    this.#state = next
    this.#refusing = undefined
    const store = this.#storeOrThrow()
    if (change === 'snapshot') await store.compact(this.#state)
    else await store.persist(change, this.#state)
    clock.lap('persist')
    this.#counters.applied++
    this.#send(socket, {
      v: PROTOCOL_VERSION,
      type: 'ack',
      revision,
      appliedAt: now(),
      ...ackCounts(report),
      ...this.#clockReport(),
    })
    clock.lap('ack')
    const timing = clock.timing(revision, change === 'snapshot' ? 'snapshot' : 'delta')
    this.#options.onRevisionTiming?.(timing)
    log.debug({ ...timing, receivedAt: now() - timing.total }, 'revision acknowledged')
    // Beside the next revisions, not before them: they go to the next journal meanwhile.
    if (store.wantsCompaction) store.compactInBackground(this.#state)
  }

  /**
   * NTP-style: the gateway answered our heartbeat sent at `echo` (our clock) with its time `at`;
   * taking the gateway's instant as the middle of the round trip, our offset is
   * (echo + now) / 2 − at. Alarms (log, status, readiness, metric) past the bound, once per crossing.
   */
  #measureClock(at: number, echo: number | undefined): void {
    if (echo === undefined) return
    const { now, maxClockOffsetMs, log } = this.#options
    const received = now()
    const roundTripMs = received - echo
    if (roundTripMs < 0 || roundTripMs > 3 * this.#options.heartbeatMs) return // not ours, or stale
    const offsetMs = Math.round((echo + received) / 2 - at)
    this.#clock = { offsetMs, roundTripMs, measuredAt: received }
    // The measure is only good to half the round trip: alarm when even that cannot explain it.
    const skewed = Math.abs(offsetMs) - roundTripMs / 2 > maxClockOffsetMs
    if (skewed && !this.#skewed)
      log.error(
        { offsetMs, roundTripMs, maxOffsetMs: maxClockOffsetMs },
        "this clock is off the gateway's past the bound: every window switches on and off that much early or late; fix NTP",
      )
    else if (!skewed && this.#skewed) log.info({ offsetMs }, "this clock agrees with the gateway's again")
    this.#skewed = skewed
  }

  #storeOrThrow(): StateStore {
    if (!this.#store) throw new Error('the agent was not started')
    return this.#store
  }

  /** Ends groups whose `until` has passed, by the agent's own clock, then runs the backend's tick. */
  async #tick(): Promise<void> {
    const { backend, now } = this.#options
    const at = now()
    const expired = this.#state.groups.filter((group) => group.until <= at)
    if (expired.length > 0) {
      const groups = unexpired(this.#state.groups, at)
      const ops: GroupOp[] = expired.map((group) => ({ op: 'drop', id: group.id }))
      await backend.apply(ops, groups, at)
      this.#state = { ...this.#state, groups }
      await this.#storeOrThrow().record(this.#state.revision, ops, this.#state)
      this.#options.log.info({ groups: expired.map((group) => group.id) }, 'groups ended at their until')
    }
    await backend.tick(at)
  }
}
