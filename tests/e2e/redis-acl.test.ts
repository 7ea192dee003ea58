/**
 * Redis is not the root of trust (issue #11 point 4): every service signs in to Redis as its own
 * ACL user (packages/store/src/acl.ts) and still does its job end to end, while what it must not
 * write is refused by Redis itself.
 */
import { readFile } from 'node:fs/promises'
import { trustedKeysFromPem } from '@offside/protocol'
import { verifyAuditExport } from '@offside/store'
import { orgWithToken, startStack, waitFor } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import { aclRedis, baseData, e2eEnv, putEvent, putList } from './scenario.js'

t.test(
  'with a Redis user per service, an upload reaches an agent, the dashboard shows it, and no service met a refusal',
  async (t) => {
    const stack = await startStack(t, { env: e2eEnv(), ...(await aclRedis(t)) })
    const now = Date.now()
    const { sky, isp } = await baseData(stack, now)
    const ops = await orgWithToken(stack.api, 'ops-tf', 'ops')
    await stack.start('scheduler')
    const gateway = await stack.start('gateway')
    const agent = await stack.startAgent({ id: 'edge-acl', token: isp, gateways: [gateway.url] })
    await putEvent(stack, 'm-acl', now - 60_000, now + 10 * 60_000)
    await putList(stack, sky, 'sky-it', now, ['203.0.113.9'])
    const status = await waitFor(agent.status, (s) => s.prefixes.includes('203.0.113.9/32'), 15_000)
    t.ok(status?.prefixes.includes('203.0.113.9/32'), 'the upload is enforced at the agent')
    const agents = await waitFor(
      () => stack.api.request('GET', '/v1/agents'),
      (res) => res.body.agents?.some((a: { lastRevision: number }) => a.lastRevision > 0),
      10_000,
    )
    t.ok(
      agents.body.agents?.some((a: { agentId: string }) => a.agentId === 'edge-acl'),
      'the gateway recorded the agent and its acknowledgement',
    )
    t.match((await stack.api.request('GET', '/v1/audit/verify')).body, { ok: true }, 'the audit chain holds')
    // The scheduler's user signs audit checkpoints; the export verifies offline against their key.
    const trusted = trustedKeysFromPem([await readFile(stack.checkpointPublicKeyFile, 'utf8')])
    const exportText = async () =>
      (
        await fetch(`${stack.apiUrl}/v1/audit/export`, {
          headers: { authorization: `Bearer ${stack.admin}` },
        })
      ).text()
    const exported = await waitFor(
      exportText,
      (text) => verifyAuditExport(text, trusted).anchoredUpTo > 0,
      15_000,
    )
    t.match(verifyAuditExport(exported, trusted), { ok: true }, 'the export, checkpoints included, verifies')

    // The dashboard reads with its read-only user and shows the same state.
    const dashboard = await stack.start('dashboard')
    const view = await fetch(`${dashboard.url}/api/view`, {
      headers: { authorization: `Bearer ${ops}` },
    })
    t.equal(view.status, 200, 'the dashboard answers an ops viewer')
    t.match(JSON.stringify(await view.json()), /edge-acl/, 'and shows the agent')

    const text = (await stack.logs()).map((log) => log.text).join('\n')
    t.notMatch(text, /NOPERM/, 'no service was refused a command it needs')
    t.notMatch(text, /NOAUTH|WRONGPASS/, 'every service signed in')
  },
)

t.test(
  'the services are refused by Redis what is not theirs to write; the default user is off',
  async (t) => {
    const stack = await startStack(t, { env: e2eEnv(), ...(await aclRedis(t)) })
    const admin = new Redis(stack.redisUrl)
    const gateway = new Redis(stack.redisUrlOf('gateway'))
    const dashboard = new Redis(stack.redisUrlOf('dashboard'))
    t.teardown(() => {
      for (const client of [admin, gateway, dashboard]) client.disconnect()
    })
    const users = (await admin.acl('LIST')) as string[]
    t.ok(
      users.some((line) => /^user default off /.test(line)),
      'the default user is off',
    )
    const refused = (p: Promise<unknown>) =>
      p.then(
        () => 'allowed',
        (err: Error) => err.message.split(' ')[0],
      )
    t.equal(
      await refused(gateway.rpush('offside:lists-forged', 'x')),
      'NOPERM',
      'the gateway cannot write lists',
    )
    t.equal(await refused(gateway.hset('offside:orders', 'o9', '{}')), 'NOPERM', 'nor orders')
    t.equal(
      await refused(dashboard.set('offside:audit:head', '1 x')),
      'NOPERM',
      'the dashboard writes nothing',
    )
    t.equal(await refused(dashboard.hgetall('offside:orders')), 'allowed', 'but reads')
  },
)
