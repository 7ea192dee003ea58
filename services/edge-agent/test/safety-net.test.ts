import { applyGroupOps, defaultSafetyNetLimits, type GroupOp } from '@offside/core'
import t from 'tap'
import { DryRunBackend } from '../src/backends/dry-run.js'
import {
  gatewayAddresses,
  SafetyNetBackend,
  SafetyNetConfigError,
  safetyNetLimits,
} from '../src/safety-net.js'

const group = (id: string, prefixes: string[]) => ({ id, event: id, from: 0, until: 10_000, prefixes })

t.test(
  'the device holds only what passes the limits, as later revisions move prefixes in and out',
  async (t) => {
    const device = new DryRunBackend()
    const net = new SafetyNetBackend(device, { ...defaultSafetyNetLimits, neverBlock: ['192.0.2.0/24'] })
    let groups = [group('w:m1', ['192.0.2.1/32', '203.0.113.7/32'])]
    const first = await net.reconcile(groups, 1)
    t.same(device.activePrefixes(1), ['203.0.113.7/32'], 'the never-block address is not programmed')
    t.match(first, {
      enforced: 1,
      refusedCount: 1,
      refused: [{ reason: 'never-block', prefix: '192.0.2.1/32' }],
    })
    const step = async (ops: GroupOp[]) => {
      groups = applyGroupOps(groups, ops)
      return net.apply(ops, groups, 1)
    }
    const second = await step([
      { op: 'patch', id: 'w:m1', from: 0, until: 10_000, add: ['198.51.100.7/32'], remove: ['192.0.2.1/32'] },
    ])
    t.same(
      device.activePrefixes(1),
      ['198.51.100.7/32', '203.0.113.7/32'],
      'removing the refused prefix removes nothing else',
    )
    t.equal(second.refusedCount, 0, 'nothing refused any more')
    await step([
      { op: 'patch', id: 'w:m1', from: 0, until: 10_000, add: ['0.0.0.0/1'], remove: ['203.0.113.7/32'] },
    ])
    t.same(device.activePrefixes(1), ['198.51.100.7/32'], 'a broad addition is refused, the removal applied')
    t.same(
      net.refusals().refused.map((r) => r.reason),
      ['broader-than-limit'],
    )
  },
)

t.test('the limits come from the config file and always include the gateways', async (t) => {
  const limits = safetyNetLimits(
    { neverBlock: ['192.0.2.53', '2001:db8:53::/48'], maxGroupHours: 6, capacity: 5000 },
    {
      gateways: await gatewayAddresses(['ws://127.0.0.1:8081', 'wss://[::1]:8443/v1/agents/stream']),
      backendCapacity: 3000,
    },
  )
  t.same(limits.neverBlock, ['192.0.2.53/32', '2001:db8:53::/48', '127.0.0.1/32', '::1/128'])
  t.equal(limits.maxGroupDurationMs, 6 * 3600_000)
  t.equal(limits.capacity, 3000, 'never more than the backend holds (FlowSpec rule cap)')
  t.throws(
    () => safetyNetLimits({ neverBlock: ['not-an-ip'] }, { gateways: [], backendCapacity: 1 }),
    SafetyNetConfigError,
  )
  t.throws(
    () => safetyNetLimits({ neverblock: [] }, { gateways: [], backendCapacity: 1 }),
    /unknown setting "neverblock"/,
  )
})
