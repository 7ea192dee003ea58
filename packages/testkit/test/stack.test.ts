import { readFile } from 'node:fs/promises'
import t from 'tap'
import { orgWithToken, startStack } from '../src/index.js'

t.test(
  'the stack starts the API and a gateway, answers through its client, and stops them all',
  async (t) => {
    const stack = await startStack(undefined, { services: ['api', 'gateway'], logLevel: 'warn' })
    let stopped = false
    t.teardown(() => (stopped ? undefined : stack.stop()))
    t.match(stack.urls, { api: /^http:\/\/127\.0\.0\.1:\d+$/, gateway: /^ws:\/\/127\.0\.0\.1:\d+\// })
    t.equal(
      (await readFile(stack.adminTokenFile, 'utf8')).trim(),
      stack.admin,
      'the admin token is in its token file',
    )

    const isp = await orgWithToken(stack.api, 'isp-stack', 'isp')
    const refused = await stack.api.as(null).request('GET', '/v1/orgs')
    t.equal(
      refused.problem?.code,
      'OFFSIDE_UNAUTHORIZED',
      'a call without a token answers a problem with its code',
    )
    const bad = await stack.api.request('POST', '/v1/orgs', { id: 'x', kind: 'nonsense', name: 'x' })
    t.equal(bad.status, 400, 'bad input is refused')
    t.match(
      bad.problem,
      { code: 'OFFSIDE_VALIDATION', field: 'body.kind' },
      'and the client hands back the problem with its code and field',
    )
    await t.rejects(
      stack.api.ok('POST', '/v1/orgs', { id: 'x', kind: 'nonsense' }),
      /400/,
      'ok() throws on a problem',
    )

    const agent = await stack.startAgent({ id: 'edge-stack', token: isp })
    const cmdline = await readFile(`/proc/${agent.child.pid}/cmdline`, 'utf8')
    t.notOk(cmdline.includes(isp), 'the agent token is not on its command line')
    const status = await agent.status()
    t.equal(status.agentId, 'edge-stack', 'the agent answers its status')

    await stack.stop()
    stopped = true
    t.ok(agent.child.exitCode !== null || agent.child.signalCode !== null, 'stop() ends the agent')
    const after = await fetch(`${stack.apiUrl}/healthz`).then(
      () => 'answered',
      () => 'refused',
    )
    t.equal(after, 'refused', 'and the API')
  },
)
