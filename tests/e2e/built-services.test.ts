/**
 * The build boundary: every service starts from what `tsc -b` wrote to its `dist/`, with plain
 * `node` (no tsx, no source condition), the way compose and Kubernetes run them, and answers
 * /readyz against a real Redis.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { generateSigningKeyPair } from '@offside/protocol'
import { freePort, type ServiceProcess, startRedis, startServiceProcess } from '@offside/testkit'
import t from 'tap'

const root = resolve(import.meta.dirname, '../..')
const services = ['api', 'scheduler', 'gateway', 'dashboard', 'edge-agent']

// Five node processes and a tsc check on a shared 2-core machine: more than tap's default minutes.
t.setTimeout(420_000)

t.test('every service starts from its built dist with plain node and becomes ready', async (t) => {
  // Incremental: a no-op when ./scripts/test (or pnpm build) has already built everything.
  const tsc = fileURLToPath(import.meta.resolve('typescript/bin/tsc'))
  await promisify(execFile)(process.execPath, [tsc, '-b', ...services.map((s) => `services/${s}`)], {
    cwd: root,
  })

  const dir = await mkdtemp(join(tmpdir(), 'offside-built-'))
  const redis = await startRedis(t)
  const running: ServiceProcess[] = []
  t.teardown(async () => {
    await Promise.all(running.map((service) => service.stop()))
    await rm(dir, { recursive: true, force: true })
  })
  const keys = generateSigningKeyPair()
  await writeFile(join(dir, 'signing.pem'), keys.privateKeyPem, { mode: 0o600 })
  await writeFile(join(dir, 'signing.pub.pem'), keys.publicKeyPem)
  const admin = `adm_built_${Math.random().toString(36).slice(2)}_0123456789`
  const env = {
    PATH: process.env.PATH,
    OFFSIDE_REDIS_URL: redis.url,
    OFFSIDE_ADMIN_TOKEN: admin,
    OFFSIDE_SIGNING_KEY_FILE: join(dir, 'signing.pem'),
    OFFSIDE_LOG_LEVEL: 'info',
  }
  const start = async (
    name: string,
    entry: string,
    port: number,
    extra: NodeJS.ProcessEnv,
    args: string[] = [],
  ) => {
    const service = await startServiceProcess({
      name,
      entry: join(root, 'services', name, 'dist', entry),
      args,
      env: { ...env, ...extra },
      logFile: join(dir, `${name}.log`),
      port,
      readyPath: '/readyz',
      // A loaded 2-core machine takes tens of seconds to start four node processes at once.
      timeoutMs: 150_000,
    })
    running.push(service)
    t.ok(service, `${name} answers /readyz from dist/${entry}`)
    return service
  }

  const ports = Object.fromEntries(await Promise.all(services.map(async (s) => [s, await freePort()])))
  // Started side by side: nothing here needs another to be up first.
  await Promise.all([
    start('api', 'server.js', ports.api, { OFFSIDE_API_PORT: String(ports.api) }),
    start('scheduler', 'server.js', ports.scheduler, { OFFSIDE_SCHEDULER_PORT: String(ports.scheduler) }),
    start('gateway', 'server.js', ports.gateway, { OFFSIDE_GATEWAY_PORT: String(ports.gateway) }),
    start('dashboard', 'server.js', ports.dashboard, {
      OFFSIDE_DASHBOARD_PORT: String(ports.dashboard),
      OFFSIDE_API_URL: `http://127.0.0.1:${ports.api}`,
    }),
  ])

  const page = await fetch(`http://127.0.0.1:${ports.dashboard}/`).then((res) => res.text())
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(page)?.[1]
  t.ok(script, 'the built dashboard serves its page, which names its script')
  const bundle = await fetch(`http://127.0.0.1:${ports.dashboard}${script}`)
  t.equal(bundle.status, 200, 'and serves the esbuild bundle of the browser code')

  // The agent is ready once it holds a gateway connection, which takes an ISP token.
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`http://127.0.0.1:${ports.api}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return (await res.json()) as { token?: string }
  }
  await call('/v1/orgs', { id: 'isp-built', kind: 'isp', name: 'ISP' })
  const { token } = await call('/v1/tokens', { org: 'isp-built', role: 'isp' })
  await start('edge-agent', 'cli.js', ports['edge-agent'], {}, [
    ...['--gateway', `ws://127.0.0.1:${ports.gateway}`],
    ...['--token', String(token)],
    ...['--agent-id', 'built-1'],
    ...['--backend', 'dry-run'],
    ...['--public-key', join(dir, 'signing.pub.pem')],
    ...['--state-dir', join(dir, 'agent')],
    ...['--metrics-port', String(ports['edge-agent'])],
  ])
})
