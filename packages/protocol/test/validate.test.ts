import t from 'tap'
import { parseAgentMessage, parseGatewayMessage } from '../src/validate.js'

const group = {
  id: 'w:m1',
  event: 'm1',
  from: 1000,
  until: 2000,
  prefixes: ['203.0.113.7/32', '2001:db8::/48'],
}
const snapshot = {
  v: 1,
  type: 'snapshot',
  payload: { kind: 'snapshot', revision: 3, issuedAt: 900, groups: [group] },
  sig: 'c2ln',
  keyId: 'abcd',
}
const delta = {
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
      { op: 'drop', id: 'w:m0' },
    ],
  },
  sig: 'c2ln',
  keyId: 'abcd',
}

const reason = (data: unknown) => {
  const result = parseGatewayMessage(JSON.stringify(data))
  return result.ok ? 'ok' : result.message
}

t.test('well-formed agent messages are accepted', async (t) => {
  const hello = {
    v: 1,
    type: 'hello',
    agentId: 'isp-a-1',
    lastRevision: 0,
    capabilities: ['backend:dry-run'],
  }
  t.ok(parseAgentMessage(JSON.stringify(hello)).ok, 'hello')
  const ack = { v: 1, type: 'ack', revision: 4, appliedAt: 1001, enforced: 2, staged: 0, notFitting: [] }
  t.ok(parseAgentMessage(JSON.stringify(ack)).ok, 'ack')
  t.ok(parseAgentMessage('{"v":1,"type":"heartbeat","at":5}').ok, 'heartbeat')
  t.ok(
    parseAgentMessage('{"v":1,"type":"error","code":"bad-signature","message":"no","revision":4}').ok,
    'error',
  )
})

t.test('well-formed snapshots and deltas are accepted', async (t) => {
  t.equal(reason(snapshot), 'ok', 'snapshot')
  t.equal(reason(delta), 'ok', 'delta with put, patch and drop')
})

t.test("heartbeats and acks may carry the agent's clock offset and alarm, well typed", async (t) => {
  const beat = (extra: object) =>
    parseAgentMessage(JSON.stringify({ v: 1, type: 'heartbeat', at: 5, ...extra }))
  t.ok(beat({ clockOffsetMs: -20_000, clockSkewed: true }).ok, 'a negative offset with its alarm')
  t.match(
    beat({ clockOffsetMs: 1.5 }),
    { ok: false, message: /clockOffsetMs/ },
    'a fractional offset is refused',
  )
  t.match(
    beat({ clockSkewed: 'yes' }),
    { ok: false, message: /clockSkewed/ },
    'an alarm that is not a boolean is refused',
  )
  const ack = { v: 1, type: 'ack', revision: 4, appliedAt: 1001, enforced: 2, staged: 0, notFitting: [] }
  t.ok(
    parseAgentMessage(JSON.stringify({ ...ack, clockOffsetMs: 20_000, clockSkewed: true })).ok,
    'an ack with both',
  )
  t.match(
    parseAgentMessage(JSON.stringify({ ...ack, clockSkewed: 1 })),
    { ok: false, message: /clockSkewed/ },
    "an ack's alarm must be a boolean",
  )
})

t.test('a message from another protocol version is refused as unsupported', async (t) => {
  const result = parseAgentMessage('{"v":2,"type":"heartbeat","at":5}')
  t.equal(!result.ok && result.code, 'unsupported-version', 'version named')
})

t.test('malformed frames are refused with a reason, never thrown', async (t) => {
  t.equal(parseAgentMessage('{not json').ok, false, 'not JSON')
  t.equal(parseAgentMessage('[]').ok, false, 'not an object')
  t.equal(parseAgentMessage('{"v":1,"type":"launch"}').ok, false, 'unknown type')
  t.match(
    parseAgentMessage('{"v":1,"type":"hello","agentId":"a","lastRevision":-1,"capabilities":[]}'),
    { ok: false, message: /lastRevision/ },
    'negative revision named',
  )
})

t.test('a version or type that cannot be turned into text is refused, not thrown', async (t) => {
  // fast-check's counterexample (seed 1638229752): String() throws on a non-callable toString.
  const version = parseAgentMessage('{"v":{"toString":""},"type":"hello"}')
  t.equal(!version.ok && version.code, 'unsupported-version', 'an object as the version')
  const type = parseGatewayMessage('{"v":1,"type":{"toString":"","valueOf":""}}')
  t.equal(!type.ok && type.code, 'bad-message', 'an object as the type')
})

t.test("a type named after one of Object's members is unknown, on both sides", async (t) => {
  for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
    const data = JSON.stringify({ v: 1, type, at: 5 })
    t.match(parseAgentMessage(data), { ok: false, code: 'bad-message' }, `${type} from an agent`)
    t.match(parseGatewayMessage(data), { ok: false, code: 'bad-message' }, `${type} from the gateway`)
  }
})

t.test('a group whose prefixes are not canonical is refused', async (t) => {
  for (const bad of ['203.0.113.7', '203.0.113.7/24', '2001:DB8::/48', '10.0.0.1/33', 'example.org', 7]) {
    const data = { ...snapshot, payload: { ...snapshot.payload, groups: [{ ...group, prefixes: [bad] }] } }
    t.match(reason(data), /prefix/, `${JSON.stringify(bad)} refused`)
  }
})

t.test('a group that ends before it starts is refused', async (t) => {
  const data = {
    ...snapshot,
    payload: { ...snapshot.payload, groups: [{ ...group, from: 2000, until: 2000 }] },
  }
  t.match(reason(data), /before until/, 'empty span refused')
})

t.test('a delta message carrying a snapshot payload is refused', async (t) => {
  t.not(reason({ ...delta, payload: snapshot.payload }), 'ok', 'kind must match the message type')
})

t.test('a delta with an unknown op or cause is refused', async (t) => {
  const badOp = { ...delta, payload: { ...delta.payload, ops: [{ op: 'wipe', id: 'x' }] } }
  t.match(reason(badOp), /op must be/, 'unknown op')
  const badCause = { ...delta, payload: { ...delta.payload, cause: { kind: 'whim' } } }
  t.match(reason(badCause), /cause.kind/, 'unknown cause')
})

t.test('a copy names its group, event, bounds and another group as its source', async (t) => {
  const copy = { op: 'copy', id: 'w:m2', event: 'm2', from: 1000, until: 2000, source: 'w:m1' }
  const withOps = (ops: unknown[]) => ({ ...delta, payload: { ...delta.payload, ops } })
  t.equal(reason(withOps([{ op: 'put', group }, copy])), 'ok', 'a put and a copy from it')
  t.match(reason(withOps([{ ...copy, source: 'w:m2' }])), /source must name another group/, 'not itself')
  t.match(reason(withOps([{ ...copy, until: 1000 }])), /from must be before until/, 'from < until')
  t.match(reason(withOps([{ ...copy, source: '' }])), /source must be a short string/, 'a source id')
  t.match(reason(withOps([{ ...copy, source: undefined }])), /source/, 'a source at all')
  t.match(reason(withOps([{ ...copy, event: 7 }])), /event/, 'an event id')
  t.match(reason(withOps([{ ...copy, from: -1 }])), /from/, 'bounds are non-negative integers')
})

t.test('a snapshot group may name an earlier group as its source instead of carrying prefixes', async (t) => {
  const shared = { id: 'w:m2', event: 'm2', from: 1000, until: 2000, source: 'w:m1' }
  const withGroups = (groups: unknown[]) => ({ ...snapshot, payload: { ...snapshot.payload, groups } })
  t.equal(reason(withGroups([group, shared])), 'ok', 'a group and one sharing its cover')
  t.match(reason(withGroups([shared, group])), /source must name an earlier group/, 'the source comes first')
  t.match(reason(withGroups([{ ...shared, source: 'w:m2' }])), /earlier group/, 'never itself')
  t.match(
    reason(withGroups([group, { ...shared, prefixes: ['192.0.2.0/24'] }])),
    /carry no prefixes or names/,
    'a source or prefixes, not both',
  )
  t.match(
    reason(withGroups([group, { ...shared, until: 1000 }])),
    /from must be before until/,
    'from < until',
  )
  t.match(reason(withGroups([group, { ...shared, source: 7 }])), /source/, 'a source id')
})

t.test('an agent may report a copy from a group it does not hold as unknown-group', async (t) => {
  const error = { v: 1, type: 'error', code: 'unknown-group', message: 'no w:m1', revision: 4 }
  t.ok(parseAgentMessage(JSON.stringify(error)).ok, 'a protocol error code')
})

t.test('groups and patches may carry normalised domain names, and nothing else as a name', async (t) => {
  const delta = (ops: unknown[]) =>
    JSON.stringify({
      v: 1,
      type: 'delta',
      sig: 's',
      keyId: 'k',
      payload: { kind: 'delta', revision: 2, issuedAt: 1, cause: { kind: 'hot-addition' }, ops },
    })
  const put = (names: unknown) => ({
    op: 'put',
    group: { id: 'w:m1', event: 'm1', from: 1, until: 2, prefixes: [], names },
  })
  t.ok(
    parseGatewayMessage(delta([put(['pirate.test', '*.live.test', 'xn--bcher-kva.example'])])).ok,
    'A-labels and a wildcard',
  )
  for (const bad of [
    ['Pirate.test'],
    ['pirate.test.'],
    ['bücher.example'],
    ['test'],
    ['a..test'],
    [`${'a'.repeat(64)}.test`],
    [7],
  ]) {
    t.notOk(parseGatewayMessage(delta([put(bad)])).ok, `refused: ${JSON.stringify(bad)}`)
  }
  const patch = {
    op: 'patch',
    id: 'w:m1',
    from: 1,
    until: 2,
    add: [],
    remove: [],
    addNames: ['a.test'],
    removeNames: ['b.test'],
  }
  t.ok(parseGatewayMessage(delta([patch])).ok, 'a patch of names')
  t.notOk(parseGatewayMessage(delta([{ ...patch, addNames: 'a.test' }])).ok, 'addNames must be an array')
})
