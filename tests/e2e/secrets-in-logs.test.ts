import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { orgWithToken, startStack, waitFor } from '@offside/testkit'
import t from 'tap'
import { baseData, e2eEnv, expectStatus, putEvent, putList } from './scenario.js'

/**
 * Every process of the stack runs with its production logger (its own redaction, nothing a test
 * supplies) at the most verbose level; after a round of real use, no log holds any token or key.
 */
t.test('no token and no key the stack issued or used ever reaches a log, even at trace level', async (t) => {
  const stack = await startStack(t, { env: e2eEnv(), logLevel: 'trace' })
  const now = Date.now()
  const { sky, isp } = await baseData(stack, now)
  const ops = await orgWithToken(stack.api, 'ops-tf', 'ops')
  await stack.start('scheduler')
  const gateway = await stack.start('gateway')
  const agent = await stack.startAgent({ id: 'edge-1', token: isp, gateways: [gateway.url] })
  const kickoff = Date.now() + 1000
  await putEvent(stack, 'm1', kickoff, kickoff + 60_000)
  await putList(stack, sky, 'sky-it', kickoff, ['203.0.113.7'])
  await waitFor(agent.status, (s) => s.prefixes.length === 1, 8000)

  // Every kind of use: reads with each role, a refused token, a revoked one, public calls.
  for (const token of [stack.admin, sky, isp, ops]) await stack.api.as(token).request('GET', '/v1/whoami')
  const doomed = await stack.api.request('POST', '/v1/tokens', { org: 'sky-it', role: 'rightsholder' })
  expectStatus(doomed, 201, 'a token to revoke')
  expectStatus(await stack.api.request('DELETE', `/v1/tokens/${doomed.body.id}`), 200, 'revoked')
  const revoked = await stack.api.as(doomed.body.token).request('GET', '/v1/whoami')
  t.equal(revoked.status, 401, 'the revoked token is refused')
  const wrong = `${isp}x`
  t.equal((await stack.api.as(wrong).request('GET', '/v1/state')).status, 401, 'a wrong token is refused')
  await stack.api.as(null).request('GET', '/v1/public/lookup?target=203.0.113.7')
  const badAgent = await stack.startAgent({ id: 'edge-bad', token: wrong, gateways: [gateway.url] })
  await waitFor(badAgent.status, (s) => !s.connected, 3000)
  await new Promise((resolve) => setTimeout(resolve, 1500)) // a heartbeat or two, logged

  const privateKey = await readFile(join(dirname(stack.publicKeyFile), 'signing.pem'), 'utf8')
  const keyBody = privateKey
    .split('\n')
    .filter((line) => line && !line.startsWith('-----'))
    .join('')
  const secrets = {
    'admin token': stack.admin,
    'rightsholder token': sky,
    'isp token': isp,
    'ops token': ops,
    'revoked token': doomed.body.token as string,
    'wrong token': wrong,
    'signing key': keyBody,
  }
  const logs = await stack.logs()
  t.ok(logs.length >= 4, `the logs of api, scheduler, gateway and agents are read (${logs.length} files)`)
  t.ok(
    logs.every((log) => log.text.length > 0),
    'every process logged something',
  )
  for (const { file, text } of logs) {
    for (const [what, secret] of Object.entries(secrets)) {
      t.notOk(text.includes(secret), `${file} does not contain the ${what}`)
    }
  }
})
