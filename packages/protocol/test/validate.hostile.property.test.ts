import fc from 'fast-check'
import t from 'tap'
import { parseAgentMessage, parseGatewayMessage } from '../src/validate.js'

// Hostile input at scale: whatever arrives on the socket, either side answers with a parse result
// (accepted, or refused with a protocol error code), never a throw. OFFSIDE_PROPERTY_RUNS raises
// the number of cases for a long run on demand; the default keeps this file to seconds.
const numRuns = Number(process.env.OFFSIDE_PROPERTY_RUNS ?? 400)

const group = {
  id: 'w:m1',
  event: 'm1',
  from: 1000,
  until: 2000,
  prefixes: ['203.0.113.7/32', '2001:db8::/48'],
}
const valid: { side: 'agent' | 'gateway'; message: unknown }[] = [
  { side: 'agent', message: { v: 1, type: 'hello', agentId: 'isp-a-1', lastRevision: 0, capabilities: [] } },
  {
    side: 'agent',
    message: { v: 1, type: 'ack', revision: 4, appliedAt: 1001, enforced: 2, staged: 0, notFitting: [] },
  },
  { side: 'agent', message: { v: 1, type: 'heartbeat', at: 5 } },
  { side: 'agent', message: { v: 1, type: 'error', code: 'bad-signature', message: 'no', revision: 4 } },
  {
    side: 'gateway',
    message: {
      v: 1,
      type: 'snapshot',
      payload: {
        kind: 'snapshot',
        revision: 3,
        issuedAt: 900,
        groups: [group, { id: 'w:m2', event: 'm2', from: 1000, until: 3000, source: 'w:m1' }],
      },
      sig: 'c2ln',
      keyId: 'abcd',
    },
  },
  {
    side: 'gateway',
    message: {
      v: 1,
      type: 'delta',
      payload: {
        kind: 'delta',
        revision: 4,
        issuedAt: 950,
        cause: { kind: 'window-open', scheduledAt: 1000, event: 'm1' },
        ops: [
          { op: 'put', group },
          { op: 'patch', id: 'w:m1', from: 1000, until: 3000, add: ['198.51.100.0/24'], remove: [] },
          { op: 'copy', id: 'w:m2', event: 'm2', from: 1000, until: 3000, source: 'w:m1' },
          { op: 'drop', id: 'w:m0' },
        ],
      },
      sig: 'c2ln',
      keyId: 'abcd',
    },
  },
]

const parse = (side: 'agent' | 'gateway', data: string) =>
  side === 'agent' ? parseAgentMessage(data) : parseGatewayMessage(data)

/** A parse result is accepted, or refused with one of the protocol's two error codes and a reason. */
const wellAnswered = (result: ReturnType<typeof parse>) =>
  result.ok
    ? typeof result.message === 'object'
    : (result.code === 'bad-message' || result.code === 'unsupported-version') &&
      typeof result.message === 'string'

/** Paths to every value inside a JSON value, so a mutation can reach any depth. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix]
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value)
  return [prefix, ...entries.flatMap(([key, child]) => paths(child, [...prefix, key]))]
}

function mutate(
  value: unknown,
  path: (string | number)[],
  change: 'delete' | 'replace',
  replacement: unknown,
) {
  const copy = structuredClone(value) as Record<string | number, unknown>
  if (path.length === 0) return change === 'replace' ? replacement : copy
  let parent = copy
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>
  const last = path.at(-1) as string | number
  if (change === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1)
    else delete parent[last]
  } else parent[last] = replacement
  return copy
}

/**
 * Every copy an accepted delta carries names another group as its source, within from < until;
 * every snapshot group naming a source names an earlier group and carries no prefixes.
 */
function copiesAreSound(message: unknown): boolean {
  const groups = (message as { payload?: { groups?: unknown } }).payload?.groups
  if (Array.isArray(groups)) {
    const ids = groups.map((group: Record<string, unknown>) => group.id)
    return groups.every(
      (group: Record<string, unknown>, i) =>
        group.source === undefined ||
        (ids.slice(0, i).includes(group.source) && group.prefixes === undefined && group.names === undefined),
    )
  }
  const ops = (message as { payload?: { ops?: unknown } }).payload?.ops
  if (!Array.isArray(ops)) return true
  return ops.every((op: Record<string, unknown>) => {
    if (op.op !== 'copy') return true
    return (
      typeof op.source === 'string' &&
      op.source.length > 0 &&
      op.source !== op.id &&
      (op.from as number) < (op.until as number)
    )
  })
}

t.test('any string on the socket is answered with a result, never a throw, on both sides', async (t) => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (data) => {
      return wellAnswered(parseAgentMessage(data)) && wellAnswered(parseGatewayMessage(data))
    }),
    { numRuns },
  )
  t.pass(`${numRuns} random strings`)
})

t.test('any JSON value is answered with a result, never a throw, on both sides', async (t) => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const data = JSON.stringify(value)
      return wellAnswered(parseAgentMessage(data)) && wellAnswered(parseGatewayMessage(data))
    }),
    { numRuns },
  )
  t.pass(`${numRuns} random JSON values`)
})

t.test(
  'a valid message with any field deleted or replaced by any JSON is answered with a result, never a throw, and what is accepted parses again the same',
  async (t) => {
    const mutation = fc.constantFrom(...valid).chain(({ side, message }) =>
      fc.record({
        side: fc.constant(side),
        message: fc.constant(message),
        path: fc.constantFrom(...paths(message)),
        change: fc.constantFrom('delete' as const, 'replace' as const),
        replacement: fc.oneof(
          fc.jsonValue(),
          fc.constantFrom(
            -1,
            2 ** 53,
            1.5,
            '',
            'x'.repeat(300),
            '10.0.0.0/8',
            '203.0.113.7/24',
            [],
            {},
            'w:m2', // a copy's source naming its own group
            'copy',
          ),
        ),
      }),
    )
    fc.assert(
      fc.property(mutation, ({ side, message, path, change, replacement }) => {
        const data = JSON.stringify(mutate(message, path, change, replacement))
        const result = parse(side, data)
        if (!wellAnswered(result)) return false
        if (!result.ok) return true
        const again = parse(side, JSON.stringify(result.message))
        return (
          again.ok &&
          JSON.stringify(again.message) === JSON.stringify(result.message) &&
          copiesAreSound(result.message)
        )
      }),
      { numRuns },
    )
    t.pass(`${numRuns} mutations of valid messages`)
  },
)
