import type { GroupOp, Refusal, SnapshotGroup } from '@offside/core'

/** The protocol version this package speaks; every message carries it as `v`. */
export const PROTOCOL_VERSION = 1

/** Changes that affect enforcement and ask for a revision at once (API → scheduler). */
export const TRIGGER_KINDS = [
  'list-upload',
  'hot-addition',
  'complaint-upheld',
  'order-suspended',
  'order-resumed',
  'guard-change',
  'event-change',
] as const
export type TriggerKind = (typeof TRIGGER_KINDS)[number]

/** Instants on the calendar that the scheduler acts on by itself. */
export const TIMED_KINDS = ['window-open', 'window-close', 'rotation'] as const
export type TimedKind = (typeof TIMED_KINDS)[number]

/**
 * Why a revision was issued (docs/architecture.md, "Enforcement model"): a trigger, a calendar
 * instant, or a scheduler's catch-up at start. Defined here, once; the store's queues reuse it.
 */
export const CAUSE_KINDS = [...TIMED_KINDS, ...TRIGGER_KINDS, 'catch-up'] as const
export type CauseKind = (typeof CAUSE_KINDS)[number]

/**
 * The cause of a revision. `scheduledAt` is set for window open/close: the instant the change was
 * due, from which compliance measures the agents' delay. Other details (event id, order id…) are free.
 */
export interface Cause {
  kind: CauseKind
  scheduledAt?: number
  [detail: string]: unknown
}

/** Signed content of a snapshot: the whole state at `revision`. */
/**
 * Which history a revision belongs to (docs/protocol.md §4): `epoch` names the control plane's
 * history, `chain` hashes every revision of it up to this one. Opaque to agents, which keep them
 * and say them back in their hello; absent from control planes older than them.
 */
export interface HistoryFields {
  epoch?: string
  chain?: string
}

/** The history fields of a record, snapshot or state, when it has them (absent ones left out). */
export function historyOf(from: { epoch?: string | undefined; chain?: string | undefined }): HistoryFields {
  return {
    ...(from.epoch !== undefined ? { epoch: from.epoch } : {}),
    ...(from.chain !== undefined ? { chain: from.chain } : {}),
  }
}

export interface SnapshotPayload extends HistoryFields {
  kind: 'snapshot'
  revision: number
  issuedAt: number
  /**
   * The groups; one whose prefixes and names equal an earlier group's names it as `source`
   * instead of carrying them (core's `toSnapshotGroups`; the receiver's `fromSnapshotGroups`).
   */
  groups: SnapshotGroup[]
}

/** Signed content of a delta: what revision `revision` changes relative to `revision - 1`. */
export interface DeltaPayload extends HistoryFields {
  kind: 'delta'
  revision: number
  issuedAt: number
  cause: Cause
  ops: GroupOp[]
}

export type SignedPayload = SnapshotPayload | DeltaPayload

/** A payload with its Ed25519 signature (base64) over the payload's canonical JSON. */
export interface Signed<P extends SignedPayload> {
  payload: P
  sig: string
  keyId: string
}

// Agent → gateway

export interface HelloMessage {
  v: 1
  type: 'hello'
  agentId: string
  /** Last revision the agent applied and persisted; 0 when it has none. */
  lastRevision: number
  /** Free-form capability names, e.g. the backend: ["backend:nftables"]. */
  capabilities: string[]
  /** The agent's software release (`offside-agent --version`), shown in `GET /v1/agents`. */
  agentVersion?: string
  /** The history (`epoch`, `chain`) of `lastRevision`, as the gateway sent them; absent when unknown. */
  epoch?: string
  chain?: string
}

export interface AckMessage {
  v: 1
  type: 'ack'
  revision: number
  /** Agent clock, epoch ms, when the revision was applied and persisted. */
  appliedAt: number
  /** Prefixes enforced and staged (see the backend's ApplyReport). */
  enforced: number
  staged: number
  notFitting: string[]
  /** Domain names enforced and staged at the resolver, when the agent runs a DNS backend. */
  enforcedNames?: number
  stagedNames?: number
  /**
   * What the agent's safety net refused from its state (SPEC rule 16), at most 100 entries;
   * `refusedCount` counts every refused target. Absent for agents without one.
   */
  refused?: AckRefusal[]
  refusedCount?: number
  /** The agent's clock minus the gateway's, in ms, as last measured (absent before a measure). */
  clockOffsetMs?: number
  /** Whether that offset is past the agent's configured bound (its alarm is raised). */
  clockSkewed?: boolean
}

/** One refusal of the agent's safety net: which group, which prefix (absent: the whole group), why. */
export type AckRefusal = Refusal

// Both ways

export interface HeartbeatMessage {
  v: 1
  type: 'heartbeat'
  at: number
  /**
   * Gateway → agent only: the `at` of the agent heartbeat this one answers, so the agent can
   * measure its clock's offset from the gateway's over the round trip (NTP-style).
   */
  echo?: number
  /**
   * Agent → gateway only, once measured: the offset and alarm as in {@link AckMessage}, so the
   * control plane learns of a skewed clock within a heartbeat even when no revision is published.
   */
  clockOffsetMs?: number
  clockSkewed?: boolean
}

export const ERROR_CODES = [
  'bad-message',
  'bad-signature',
  'unknown-key',
  'unsupported-version',
  'revision-gap',
  'unknown-group',
  'apply-failed',
  'not-ready',
  'too-slow',
  'internal',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export interface ErrorMessage {
  v: 1
  type: 'error'
  code: ErrorCode
  message: string
  /** The revision the error is about, when there is one. */
  revision?: number
}

// Gateway → agent

export interface SnapshotMessage extends Signed<SnapshotPayload> {
  v: 1
  type: 'snapshot'
}

export interface DeltaMessage extends Signed<DeltaPayload> {
  v: 1
  type: 'delta'
}

export type AgentMessage = HelloMessage | AckMessage | HeartbeatMessage | ErrorMessage
export type GatewayMessage = SnapshotMessage | DeltaMessage | HeartbeatMessage | ErrorMessage
