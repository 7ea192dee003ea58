import {
  type AgentMessage,
  type ErrorCode,
  type GatewayMessage,
  PROTOCOL_VERSION,
  parseAgentMessage,
} from '@offside/protocol'
import type { Log } from '@offside/service'
import {
  type AgentRef,
  agentConnected,
  agentDisconnected,
  claimLostHistory,
  currentEpoch,
  currentRevision,
  type Db,
  type HistoryClaim,
  judgeHistory,
  readRevisionsSince,
  recordAck,
  recordClock,
  recordSent,
  sentRevision,
  touchAgent,
} from '@offside/store'
import type { WebSocket } from 'ws'
import type { RevisionFeed } from './feed.js'
import type { GatewayMetrics } from './metrics.js'

export interface SessionOptions {
  socket: WebSocket
  isp: string
  db: Db
  feed: RevisionFeed
  metrics: GatewayMetrics
  log: Log
  gatewayId: string
  heartbeatMs: number
  maxBufferedBytes: number
  now: () => number
  /** An agent further behind than this many revisions gets a snapshot instead of deltas. */
  maxDeltaBacklog?: number
  /** Renews the ISP connection slot this session holds, with each heartbeat. */
  renewSlot?: () => Promise<unknown>
  /** Whether the token the connection was opened with is still valid; checked each heartbeat. */
  stillAuthorised?: () => Promise<boolean>
}

const OPEN = 1

/**
 * The agent's own default alarm bound, for agents that report an offset without their verdict
 * (releases before `clockSkewed`): judged here as the agent would have with its default.
 */
const DEFAULT_CLOCK_BOUND_MS = 2_000

/** The offset and alarm a message reports, if it reports one. */
function clockOf(message: { clockOffsetMs?: number; clockSkewed?: boolean }) {
  if (message.clockOffsetMs === undefined) return undefined
  const skewed = message.clockSkewed ?? Math.abs(message.clockOffsetMs) > DEFAULT_CLOCK_BOUND_MS
  return { offsetMs: message.clockOffsetMs, skewed }
}

/**
 * One agent's connection: waits for its hello, sends the deltas it misses (or a snapshot), then
 * every live revision in order; records its acks and presence. Sending never waits for the agent:
 * a socket whose unsent data passes the bound is closed, so a slow agent delays no one.
 */
export class AgentSession {
  readonly #o: Required<SessionOptions>
  #agent: AgentRef | undefined
  /**
   * The last revision sent to this agent, or where its hello resumed (only ever a revision sent to
   * it before): the highest revision an ack may name.
   */
  #sent = 0
  /** `#sent` as last written to Redis. */
  #recordedSent = 0
  #pumping = false
  #again = false
  #unsubscribe: (() => void) | undefined
  /** Set while this agent waits for the new history its hello showed the store needs. */
  #lostHistory: HistoryClaim | undefined
  lastHeard: number
  readonly #openedAt: number

  constructor(options: SessionOptions) {
    this.#o = {
      maxDeltaBacklog: 1000,
      renewSlot: async () => {},
      stillAuthorised: async () => true,
      ...options,
    }
    this.lastHeard = options.now()
    this.#openedAt = this.lastHeard
  }

  get agent(): AgentRef | undefined {
    return this.#agent
  }

  /** Handles one text frame from the agent. */
  async receive(text: string): Promise<void> {
    this.lastHeard = this.#o.now()
    const parsed = parseAgentMessage(text)
    if (!parsed.ok) return this.#fail(parsed.code, parsed.message)
    const message = parsed.message
    if (!this.#agent && message.type !== 'hello') return this.#fail('bad-message', 'say hello first')
    switch (message.type) {
      case 'hello':
        return this.#hello(message)
      case 'ack':
        return this.#ack(message)
      case 'heartbeat':
        // Answered at once with the gateway's time: the agent measures its clock's offset from it.
        this.#send({ v: PROTOCOL_VERSION, type: 'heartbeat', at: this.#o.now(), echo: message.at })
        return this.#recordClock(clockOf(message))
      case 'error':
        this.#o.metrics.agentErrors.inc({ code: message.code })
        this.#o.log.warn(
          { ...this.#agent, code: message.code, reason: message.message },
          'agent reported an error',
        )
        return
    }
  }

  /** Called when the socket closes, whatever the reason. */
  async closed(): Promise<void> {
    this.#unsubscribe?.()
    if (this.#agent) await agentDisconnected(this.#o.db, this.#agent, this.#o.gatewayId)
  }

  /** Periodic: heartbeat to the agent, presence renewal, and the silence check. */
  async heartbeat(): Promise<void> {
    const { socket, now, heartbeatMs, db, gatewayId } = this.#o
    if (now() - this.lastHeard > 3 * heartbeatMs) {
      this.#o.log.warn({ ...this.#agent }, 'agent silent for three heartbeats; disconnecting')
      socket.terminate()
      return
    }
    if (!this.#agent && now() - this.#openedAt > 3 * heartbeatMs) {
      this.#o.log.warn({ isp: this.#o.isp }, 'no hello within three heartbeats; disconnecting')
      socket.terminate()
      return
    }
    // A revoked token loses its open streams within one heartbeat, not at the next reconnect.
    if (!(await this.#o.stillAuthorised())) {
      this.#o.log.warn({ ...this.#agent, isp: this.#o.isp }, 'the token was revoked; disconnecting')
      socket.close(4003, 'token revoked')
      return
    }
    this.#send({ v: PROTOCOL_VERSION, type: 'heartbeat', at: now() })
    await this.#o.renewSlot()
    if (this.#agent) await touchAgent(db, this.#agent, gatewayId, now(), 3 * heartbeatMs)
    // Repeated until the history changes, so a claim settled (or lost) meanwhile is not waited on.
    if (this.#lostHistory) await claimLostHistory(db, { ...this.#lostHistory, at: now() })
  }

  async #hello(hello: Extract<AgentMessage, { type: 'hello' }>): Promise<void> {
    if (this.#agent) return this.#fail('bad-message', 'hello was already said')
    const { db, isp, gatewayId, now, heartbeatMs, feed, socket } = this.#o
    const agent = { isp, agentId: hello.agentId }
    // Judged against the history in the store now, never against frames of one that is gone.
    await feed.checkHistory()
    const [published, sent, epoch] = await Promise.all([
      currentRevision(db),
      sentRevision(db, agent),
      currentEpoch(db),
    ])
    const verdict = await judgeHistory(db, hello, { published: Math.max(published, feed.last), epoch })
    // A revision this control plane never published, from an agent that cannot say which history
    // it holds, is a forgery or a different control plane's: refused, nothing of the hello recorded.
    if (verdict.kind === 'ahead') {
      this.#o.log.warn(
        { ...agent, lastRevision: hello.lastRevision, current: Math.max(published, feed.last) },
        'agent hello is ahead of the feed; refused',
      )
      this.#fail('bad-message', `revision ${hello.lastRevision} was never published (last is ${published})`)
      socket.close(4001, 'hello ahead of the feed')
      return
    }
    if (verdict.kind === 'rewound') {
      // The store lost revisions this agent applied (Redis restored from an older backup, or
      // emptied). The scheduler starts a new history above them (gateways never write revisions);
      // until then the agent keeps what it enforces and is sent nothing, and once the new history
      // is in the store the feed closes this session: the agent's next hello gets its snapshot.
      this.#lostHistory = {
        ...agent,
        lastRevision: hello.lastRevision,
        epoch: hello.epoch,
        chain: hello.chain,
        gateway: gatewayId,
        at: now(),
      }
      await claimLostHistory(db, this.#lostHistory)
      this.#o.metrics.historyClaims.inc()
      this.#o.log.warn(
        { ...agent, lastRevision: hello.lastRevision, agentEpoch: hello.epoch, published, epoch },
        'the agent holds revisions the store lost (Redis restored or emptied); asked the scheduler for a new history above them',
      )
    } else if (verdict.kind === 'other' || verdict.kind === 'unknown') {
      this.#o.log.info(
        { ...agent, lastRevision: hello.lastRevision, agentEpoch: hello.epoch, epoch, verdict: verdict.kind },
        "the agent's revision is not of the store's current history; sending a snapshot",
      )
    }
    this.#agent = agent
    // Resume from the agent's revision only if it was sent to this agent; otherwise it gets a
    // snapshot, and its claim counts for nothing.
    const resumable = verdict.kind === 'same' && hello.lastRevision <= sent
    this.#sent = resumable ? hello.lastRevision : 0
    this.#recordedSent = sent
    await agentConnected(db, {
      ...agent,
      capabilities: hello.capabilities,
      ...(hello.agentVersion ? { version: hello.agentVersion } : {}),
      lastRevision: hello.lastRevision,
      gateway: gatewayId,
      now: now(),
      ttlMs: 3 * heartbeatMs,
    })
    // The revision an agent comes back with was applied: it counts as acknowledged when the ack
    // itself was lost with the old connection — but only if it was sent to this agent.
    if (hello.lastRevision > 0 && resumable) {
      await recordAck(db, agent, {
        revision: hello.lastRevision,
        receivedAt: now(),
        appliedAt: now(),
        enforced: 0,
        staged: 0,
        notFitting: 0,
        source: 'hello',
      })
    } else if (hello.lastRevision > 0 && verdict.kind === 'same') {
      this.#o.log.warn(
        { ...agent, lastRevision: hello.lastRevision, sent },
        'agent claims a revision it was never sent; not counted, sending a snapshot',
      )
    }
    this.#o.log.info({ ...agent, lastRevision: hello.lastRevision }, 'agent said hello')
    const listener = Object.assign(() => void this.pump(), {
      // The history this session followed is gone: the agent says hello again and is judged anew.
      historyChanged: () => socket.close(4002, 'history changed'),
    })
    this.#unsubscribe = feed.subscribe(listener)
    await this.pump()
  }

  async #ack(ack: Extract<AgentMessage, { type: 'ack' }>): Promise<void> {
    if (!this.#agent || ack.revision > this.#sent)
      return this.#fail('bad-message', `revision ${ack.revision} was not sent`)
    this.#o.metrics.acks.inc()
    const clock = clockOf(ack)
    if (clock?.skewed) {
      this.#o.log.warn(
        { ...this.#agent, revision: ack.revision, clockOffsetMs: clock.offsetMs },
        "the agent's clock is off the gateway's: it switches windows on and off that much early or late",
      )
    }
    if (ack.refusedCount) {
      this.#o.log.warn(
        { ...this.#agent, revision: ack.revision, refused: ack.refusedCount },
        "the agent's safety net refused part of the state",
      )
    }
    await recordAck(
      this.#o.db,
      this.#agent,
      {
        revision: ack.revision,
        receivedAt: this.#o.now(),
        appliedAt: ack.appliedAt,
        enforced: ack.enforced,
        staged: ack.staged,
        ...(ack.enforcedNames !== undefined ? { enforcedNames: ack.enforcedNames } : {}),
        ...(ack.stagedNames !== undefined ? { stagedNames: ack.stagedNames } : {}),
        notFitting: ack.notFitting.length,
        refused: ack.refusedCount ?? ack.refused?.length ?? 0,
        source: 'ack',
        ...(clock ? { clockOffsetMs: clock.offsetMs, clockSkewed: clock.skewed } : {}),
      },
      ack.refused ?? [],
    )
    await this.#recordClock(clock)
  }

  /** Keeps the agent's last clock report where `GET /v1/agents` and the dashboard read it. */
  async #recordClock(clock: ReturnType<typeof clockOf>): Promise<void> {
    if (!clock || !this.#agent) return
    await recordClock(this.#o.db, this.#agent, { ...clock, reportedAt: this.#o.now() })
  }

  /** Sends everything after `#sent` up to the feed's last revision; re-runs if woken meanwhile. */
  async pump(): Promise<void> {
    if (this.#lostHistory) return // nothing of this history follows the agent's state
    if (this.#pumping) {
      this.#again = true
      return
    }
    this.#pumping = true
    try {
      do {
        this.#again = false
        await this.#catchUp()
        await this.#recordSent()
      } while (this.#again)
    } catch (err) {
      this.#o.log.error({ err, ...this.#agent }, 'cannot send revisions to the agent')
      this.#o.socket.close(1011, 'gateway error')
    } finally {
      this.#pumping = false
    }
  }

  async #catchUp(): Promise<void> {
    const { feed, db, maxDeltaBacklog } = this.#o
    while (this.#sent < feed.last && this.#open()) {
      // A fresh agent, or one too far behind, starts from the snapshot rather than replaying history.
      const tooFar = this.#sent === 0 || feed.last - this.#sent > maxDeltaBacklog
      const cached = tooFar ? undefined : feed.cached(this.#sent + 1)
      if (cached) {
        this.#sendFrame(cached)
        this.#sent++
        continue
      }
      const records = tooFar ? null : await readRevisionsSince(db, this.#sent, 500)
      if (records === null) {
        const snapshot = await feed.snapshotFrame()
        if (snapshot.revision <= this.#sent) return // nothing newer to offer
        this.#sendFrame(snapshot.data)
        this.#o.metrics.snapshots.inc()
        this.#sent = snapshot.revision
        continue
      }
      if (records.length === 0) return
      for (const record of records) {
        if (!this.#open()) return
        this.#sendFrame(feed.deltaFrame(record))
        this.#sent = record.revision
      }
    }
  }

  /** Writes how far this agent was sent, once per pass rather than per frame. */
  async #recordSent(): Promise<void> {
    const sent = this.#sent
    if (!this.#agent || sent <= this.#recordedSent) return
    await recordSent(this.#o.db, this.#agent, sent)
    this.#recordedSent = sent
  }

  #open(): boolean {
    return this.#o.socket.readyState === OPEN
  }

  #sendFrame(data: Buffer): void {
    const { socket, maxBufferedBytes, metrics, log } = this.#o
    if (!this.#open()) return
    // Text frames: the protocol is JSON; the buffer is shared with every other socket.
    socket.send(data, { binary: false })
    metrics.framesSent.inc()
    if (socket.bufferedAmount > maxBufferedBytes) {
      metrics.slowDisconnects.inc()
      log.warn({ ...this.#agent, buffered: socket.bufferedAmount }, 'agent too slow; disconnecting')
      socket.terminate()
    }
  }

  #send(message: GatewayMessage): void {
    if (this.#open()) this.#o.socket.send(JSON.stringify(message))
  }

  #fail(code: ErrorCode, message: string): void {
    this.#o.log.warn({ ...this.#agent, code, reason: message }, 'refused a message from an agent')
    this.#send({ v: PROTOCOL_VERSION, type: 'error', code, message })
  }
}
