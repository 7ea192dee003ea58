/**
 * The build boundary: every service starts from what `tsc -b` wrote to its `dist/`, with plain
 * `node` (no tsx, no source condition), the way compose and Kubernetes run them, and answers
 * /readyz against a real Redis.
 */
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { orgWithToken, startStack, waitForHttp } from '@offside/testkit'
import t from 'tap'

const root = resolve(import.meta.dirname, '../..')
const services = ['api', 'scheduler', 'gateway', 'dashboard', 'portal', 'notifier', 'edge-agent']

// Seven node processes and a tsc check on a shared 2-core machine: more than tap's default minutes.
t.setTimeout(420_000)

t.test('every service starts from its built dist with plain node and becomes ready', async (t) => {
  // Incremental: a no-op when ./scripts/test (or pnpm build) has already built everything.
  const tsc = fileURLToPath(import.meta.resolve('typescript/bin/tsc'))
  await promisify(execFile)(process.execPath, [tsc, '-b', ...services.map((s) => `services/${s}`)], {
    cwd: root,
  })

  const stack = await startStack(t, {
    services: ['api', 'scheduler', 'gateway', 'dashboard', 'portal', 'notifier'],
    from: 'dist',
    // A loaded 2-core machine takes tens of seconds to start six node processes at once.
    readyTimeoutMs: 150_000,
  })
  for (const name of ['api', 'scheduler', 'gateway', 'dashboard', 'portal', 'notifier'] as const)
    t.ok(stack.urls[name], `${name} answers /readyz from its dist/server.js`)

  const dashboard = stack.urls.dashboard
  const page = await fetch(`${dashboard}/`).then((res) => res.text())
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(page)?.[1]
  t.ok(script, 'the built dashboard serves its page, which names its script')
  const bundle = await fetch(`${dashboard}${script}`)
  t.equal(bundle.status, 200, 'and serves the esbuild bundle of the browser code')

  // The agent is ready once it holds a gateway connection, which takes an ISP token.
  const token = await orgWithToken(stack.api, 'isp-built', 'isp')
  const agent = await stack.startAgent({ id: 'built-1', token })
  await waitForHttp(`http://127.0.0.1:${agent.port}/readyz`, agent.child, 'edge-agent', 60_000)
  t.pass('edge-agent answers /readyz from dist/cli.js')
})
