import { parseTarget, REFUSAL_REASONS } from '@offside/core'
import {
  type AgentMessage,
  CAUSE_KINDS,
  ERROR_CODES,
  type GatewayMessage,
  PROTOCOL_VERSION,
} from './messages.js'

/**
 * Hand-written type guards rather than a schema library: the protocol has a dozen shapes, the
 * package stays dependency-free (agents embed it), and the checks that matter most — canonical
 * prefixes, safe integers, `from < until` — are not what schema validators express well.
 */

export type Parsed<M> =
  | { ok: true; message: M }
  | { ok: false; code: 'bad-message' | 'unsupported-version'; message: string }

type Obj = Record<string, unknown>
type Check = (value: unknown, at: string) => string | null

const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * A received value, for a refusal's reason: as JSON, never through String(), which throws on an
 * object whose `toString` is not a function (`{"v":{"toString":""}}` made the parser throw).
 */
const shown = (value: unknown): string => (JSON.stringify(value) ?? 'nothing').slice(0, 60)

const int: Check = (v, at) =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? null : `${at} must be a non-negative integer`
const signedInt: Check = (v, at) => (Number.isSafeInteger(v) ? null : `${at} must be an integer`)
const str: Check = (v, at) =>
  typeof v === 'string' && v.length > 0 && v.length <= 256 ? null : `${at} must be a short string`
const bool: Check = (v, at) => (typeof v === 'boolean' ? null : `${at} must be true or false`)
const text: Check = (v, at) => (typeof v === 'string' ? null : `${at} must be a string`)
const oneOf =
  (values: readonly string[]): Check =>
  (v, at) =>
    typeof v === 'string' && values.includes(v) ? null : `${at} must be one of ${values.join(', ')}`
const arrayOf =
  (item: Check): Check =>
  (v, at) => {
    if (!Array.isArray(v)) return `${at} must be an array`
    for (let i = 0; i < v.length; i++) {
      const problem = item(v[i], `${at}[${i}]`)
      if (problem) return problem
    }
    return null
  }

/** What a hello may carry: an agent id like the API's ids, at most 32 short capability names. */
const AGENT_ID = /^[A-Za-z0-9._-]{1,64}$/
const agentId: Check = (v, at) =>
  typeof v === 'string' && AGENT_ID.test(v) ? null : `${at} must be 1-64 letters, digits, ".", "_" or "-"`
const MAX_CAPABILITIES = 32
const capability: Check = (v, at) =>
  typeof v === 'string' && v.length > 0 && v.length <= 64 ? null : `${at} must be a string of 1-64 characters`
const capabilities: Check = (v, at) =>
  Array.isArray(v) && v.length > MAX_CAPABILITIES
    ? `${at} may name at most ${MAX_CAPABILITIES} capabilities`
    : arrayOf(capability)(v, at)

const MAX_REFUSALS = 100
const refusal: Check = (v, at) =>
  fields(
    v,
    at,
    { reason: oneOf(REFUSAL_REASONS), group: str, count: int },
    { prefix: (p, where) => prefix(p, where) },
  )

/** A canonical CIDR as packages/core writes it ("203.0.113.7/32"); anything else is refused. */
const prefix: Check = (v, at) => {
  if (typeof v !== 'string') return `${at} must be a prefix string`
  const parsed = parseTarget(v)
  return parsed.ok && parsed.target.kind === 'prefix' && parsed.target.prefix === v
    ? null
    : `${at} is not a canonical prefix: ${JSON.stringify(v).slice(0, 60)}`
}

function fields(
  value: unknown,
  at: string,
  shape: Record<string, Check>,
  optional: Record<string, Check> = {},
) {
  if (!isObj(value)) return `${at} must be an object`
  for (const [name, check] of Object.entries(shape)) {
    const problem = check(value[name], `${at}.${name}`)
    if (problem) return problem
  }
  for (const [name, check] of Object.entries(optional)) {
    if (value[name] === undefined) continue
    const problem = check(value[name], `${at}.${name}`)
    if (problem) return problem
  }
  return null
}

/** An LDH label: letters, digits and inner hyphens, 1–63 characters (RFC 1035 §2.3.1). */
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

/**
 * A normalised domain name as core writes it: lower-case A-labels, no trailing dot, at most 253
 * characters, at least two labels; an optional leading `*.` for a wildcard.
 */
const name: Check = (v, at) => {
  if (typeof v !== 'string' || v.length === 0 || v.length > 255) return `${at} must be a domain name string`
  const bare = v.startsWith('*.') ? v.slice(2) : v
  const labels = bare.split('.')
  return bare.length <= 253 && labels.length >= 2 && labels.every((label) => LABEL.test(label))
    ? null
    : `${at} is not a normalised domain name: ${JSON.stringify(v).slice(0, 60)}`
}

const span = (v: unknown, at: string) => {
  const o = v as Obj
  return (o.from as number) < (o.until as number) ? null : `${at}.from must be before until`
}

const group: Check = (v, at) =>
  fields(
    v,
    at,
    { id: str, event: str, from: int, until: int, prefixes: arrayOf(prefix) },
    { names: arrayOf(name) },
  ) ?? span(v, at)

/**
 * A snapshot's group: a whole group, or one naming the earlier group of the snapshot whose
 * prefixes and names it holds (`source`, never itself) and carrying none of its own.
 */
const snapshotGroups: Check = (v, at) => {
  if (!Array.isArray(v)) return `${at} must be an array`
  const earlier = new Set<unknown>()
  for (let i = 0; i < v.length; i++) {
    const where = `${at}[${i}]`
    const item = v[i]
    if (isObj(item) && item.source !== undefined) {
      const problem =
        fields(item, where, { id: str, event: str, from: int, until: int, source: str }) ?? span(item, where)
      if (problem) return problem
      if (item.prefixes !== undefined || item.names !== undefined)
        return `${where} names a source and must carry no prefixes or names`
      if (!earlier.has(item.source)) return `${where}.source must name an earlier group of the snapshot`
    } else {
      const problem = group(item, where)
      if (problem) return problem
    }
    earlier.add((item as Obj).id)
  }
  return null
}

const op: Check = (v, at) => {
  if (!isObj(v)) return `${at} must be an object`
  switch (v.op) {
    case 'put':
      return group(v.group, `${at}.group`)
    case 'patch':
      return (
        fields(
          v,
          at,
          { id: str, from: int, until: int, add: arrayOf(prefix), remove: arrayOf(prefix) },
          { addNames: arrayOf(name), removeNames: arrayOf(name) },
        ) ?? span(v, at)
      )
    case 'copy':
      return (
        fields(v, at, { id: str, event: str, from: int, until: int, source: str }) ??
        span(v, at) ??
        (v.source === v.id ? `${at}.source must name another group than ${at}.id` : null)
      )
    case 'drop':
      return fields(v, at, { id: str })
    default:
      return `${at}.op must be put, patch, copy or drop`
  }
}

const cause: Check = (v, at) => fields(v, at, { kind: oneOf(CAUSE_KINDS) }, { scheduledAt: int })

const signedPayload = (kind: 'snapshot' | 'delta'): Check => {
  const body: Record<string, Check> =
    kind === 'snapshot'
      ? { kind: oneOf([kind]), revision: int, issuedAt: int, groups: snapshotGroups }
      : { kind: oneOf([kind]), revision: int, issuedAt: int, cause, ops: arrayOf(op) }
  return (v, at) => fields(v, at, body, { epoch: str, chain: str })
}

const AGENT_SHAPES: Record<string, Record<string, Check>> = {
  hello: { agentId, lastRevision: int, capabilities },
  ack: { revision: int, appliedAt: int, enforced: int, staged: int, notFitting: arrayOf(text) },
  heartbeat: { at: int },
  error: { code: oneOf(ERROR_CODES), message: text },
}

/** Fields a message may carry; checked when present. */
const AGENT_OPTIONAL: Record<string, Record<string, Check>> = {
  hello: { agentVersion: str, epoch: str, chain: str },
  ack: {
    enforcedNames: int,
    stagedNames: int,
    refused: (v, at) =>
      Array.isArray(v) && v.length > MAX_REFUSALS
        ? `${at} may hold at most ${MAX_REFUSALS} refusals`
        : arrayOf(refusal)(v, at),
    refusedCount: int,
    clockOffsetMs: signedInt,
    clockSkewed: bool,
  },
  heartbeat: { clockOffsetMs: signedInt, clockSkewed: bool },
  error: { revision: int },
}

const GATEWAY_SHAPES: Record<string, Record<string, Check>> = {
  snapshot: { payload: signedPayload('snapshot'), sig: str, keyId: str },
  delta: { payload: signedPayload('delta'), sig: str, keyId: str },
  heartbeat: { at: int },
  error: { code: oneOf(ERROR_CODES), message: text },
}

function parseWith<M>(
  data: string,
  shapes: Record<string, Record<string, Check>>,
  optionalShapes: Record<string, Record<string, Check>>,
): Parsed<M> {
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch {
    return { ok: false, code: 'bad-message', message: 'not JSON' }
  }
  if (!isObj(value)) return { ok: false, code: 'bad-message', message: 'message must be an object' }
  if (value.v !== PROTOCOL_VERSION) {
    return {
      ok: false,
      code: 'unsupported-version',
      message: `protocol version ${shown(value.v)} is not ${PROTOCOL_VERSION}`,
    }
  }
  // Own keys only: a type like "constructor" or "__proto__" must not find Object's members.
  const type = value.type
  const shape = typeof type === 'string' && Object.hasOwn(shapes, type) ? shapes[type] : undefined
  if (!shape) return { ok: false, code: 'bad-message', message: `unknown message type ${shown(type)}` }
  const optional = Object.hasOwn(optionalShapes, type as string) ? optionalShapes[type as string] : {}
  const problem = fields(value, type as string, shape, optional)
  if (problem) return { ok: false, code: 'bad-message', message: problem }
  return { ok: true, message: value as M }
}

/** Parses and validates a text frame an agent sent (gateway side). */
export function parseAgentMessage(data: string): Parsed<AgentMessage> {
  return parseWith<AgentMessage>(data, AGENT_SHAPES, AGENT_OPTIONAL)
}

/** Parses and validates a text frame the gateway sent (agent side). Signatures are checked apart. */
export function parseGatewayMessage(data: string): Parsed<GatewayMessage> {
  return parseWith<GatewayMessage>(data, GATEWAY_SHAPES, {
    error: { revision: int },
    heartbeat: { echo: int },
  })
}
