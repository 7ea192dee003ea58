/**
 * The agent an ISP installs: scripts/package-agent builds offside-agent_<version>_all.deb (one
 * esbuild bundle, the systemd unit, a default config, a postinst), and the agent runs from the
 * extracted package — no checkout, no node_modules — against a real stack until it acknowledges.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdtemp, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { freePort, startStack, waitFor, waitForHttp } from '@offside/testkit'
import t from 'tap'
import { baseData, e2eEnv, putEvent, putList } from './scenario.js'

const root = resolve(import.meta.dirname, '../..')
const run = promisify(execFile)

t.test(
  'the Debian package installs a self-contained agent that, run from the extracted package, verifies and acknowledges a revision',
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'offside-agent-deb-'))
    t.teardown(() => rm(dir, { recursive: true, force: true }))
    const { stdout } = await run(join(root, 'scripts/package-agent'), [join(dir, 'out')])
    const deb = stdout.trim()
    const { version } = JSON.parse(await readFile(join(root, 'services/edge-agent/package.json'), 'utf8'))
    t.equal(deb, join(dir, 'out', `offside-agent_${version}_all.deb`), 'named by the agent version')

    const info = (await run('dpkg-deb', ['-f', deb, 'Package', 'Version', 'Architecture', 'Depends'])).stdout
    t.match(info, /Package: offside-agent/)
    t.match(info, new RegExp(`Version: ${version.replaceAll('.', '\\.')}`))
    t.match(info, /Architecture: all/, 'one package for every architecture (Node runs the bundle)')
    t.match(info, /Depends: nodejs \(>= 20\)/)

    const target = join(dir, 'root')
    await run('dpkg-deb', ['-x', deb, target])
    await run('dpkg-deb', ['-e', deb, join(dir, 'control')])
    t.equal(
      await readlink(join(target, 'usr/bin/offside-agent')),
      '../lib/offside-agent/offside-agent.mjs',
      'offside-agent on the PATH is the bundle',
    )
    const unit = await readFile(join(target, 'lib/systemd/system/offside-agent.service'), 'utf8')
    t.match(unit, /^ExecStart=\/usr\/bin\/offside-agent --config \/etc\/offside-agent\/agent\.json$/m)
    t.match(unit, /^RestartPreventExitStatus=2$/m, 'the unit is deploy/systemd/offside-agent.service')
    t.equal(
      (await readFile(join(dir, 'control/conffiles'), 'utf8')).trim(),
      '/etc/offside-agent/agent.json',
      'the config survives upgrades',
    )
    await run(join(dir, 'control/postinst'), ['configure'], { env: { ...process.env, DPKG_ROOT: target } })
    const state = await stat(join(target, 'var/lib/offside-agent'))
    t.ok(state.isDirectory(), 'the postinst creates the state directory')
    t.equal(state.mode & 0o777, 0o700, 'readable by root only')

    const printed = (await run(join(target, 'usr/bin/offside-agent'), ['--version'])).stdout.trim()
    t.equal(printed, `offside-agent ${version}`, 'the bundle runs on its own')

    const stack = await startStack(t, { env: e2eEnv() })
    const { sky, isp } = await baseData(stack, Date.now())
    await stack.start('scheduler')
    const gateway = await stack.start('gateway')
    const defaults = JSON.parse(await readFile(join(target, 'etc/offside-agent/agent.json'), 'utf8'))
    const metricsPort = await freePort()
    await writeFile(join(target, 'etc/offside-agent/token'), isp, { mode: 0o600 })
    const config = join(target, 'etc/offside-agent/agent.json')
    await writeFile(
      config,
      JSON.stringify({
        ...defaults,
        gateway: gateway.url,
        tokenFile: join(target, 'etc/offside-agent/token'),
        agentId: 'edge-deb',
        backend: 'dry-run',
        publicKeys: [stack.publicKeyFile],
        stateDir: join(target, 'var/lib/offside-agent'),
        metricsPort,
        heartbeatMs: 1000,
        reconnectMaxMs: 1000,
      }),
    )
    // Plain node on the bundle, from a folder outside the checkout: nothing resolves from the repo.
    const agent: ChildProcess = spawn(
      process.execPath,
      [join(target, 'usr/bin/offside-agent'), '--config', config],
      {
        cwd: dir,
        env: { PATH: process.env.PATH },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    const log = createWriteStream(join(dir, 'agent.log'))
    agent.stdout?.pipe(log)
    agent.stderr?.pipe(log)
    const exited = new Promise((resolve) => agent.once('exit', resolve))
    t.teardown(async () => {
      if (agent.exitCode === null) agent.kill('SIGTERM')
      await exited
    })
    await waitForHttp(`http://127.0.0.1:${metricsPort}/healthz`, agent, 'packaged agent')

    const kickoff = Date.now() + 1500
    await putEvent(stack, 'm1', kickoff, kickoff + 60_000)
    await putList(stack, sky, 'sky-it', kickoff, ['203.0.113.7'])
    const status = await waitFor(
      async () =>
        (await (await fetch(`http://127.0.0.1:${metricsPort}/status?prefixes=1`)).json()) as {
          revision: number
          prefixes: string[]
        },
      (s) => s.revision > 0 && s.prefixes.includes('203.0.113.7/32'),
      15_000,
    )
    t.ok(status.prefixes.includes('203.0.113.7/32'), 'the packaged agent holds the verified list')
    const agents = await waitFor(
      () => stack.api.request('GET', '/v1/agents'),
      (res) =>
        res.body.agents?.some(
          (a: { agentId: string; lastRevision: number }) =>
            a.agentId === 'edge-deb' && a.lastRevision >= status.revision,
        ),
      10_000,
    )
    const seen = agents.body.agents.find((a: { agentId: string }) => a.agentId === 'edge-deb')
    t.equal(seen?.lastRevision, status.revision, 'and the control plane has its acknowledgement')
    t.equal(seen?.version, version, 'reporting the packaged version')
  },
)
