import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import t, { type Test } from 'tap'

// Two full demo runs (Redis, four services, an agent, the data load) on a loaded 2-core machine.
t.setTimeout(480_000)

const root = fileURLToPath(new URL('../..', import.meta.url))

interface DemoRun {
  child: ChildProcess
  env: Record<string, string>
  output: () => string
  /** SIGTERM to the demo, or with `ctrlC` SIGINT to its whole process group, as a terminal's Ctrl-C does. */
  stop(options?: { ctrlC?: boolean }): Promise<number | null>
}

/** Starts `./scripts/demo --fresh` in `dir` and waits (bounded) until it printed its URLs. */
async function startDemo(dir: string, args: string[] = ['--fresh']): Promise<DemoRun> {
  const child = spawn(join(root, 'scripts/demo'), args, {
    env: { ...process.env, OFFSIDE_DEMO_DIR: dir, OFFSIDE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so a failed test can stop everything it started
  })
  let output = ''
  child.stdout?.on('data', (chunk) => {
    output += chunk
  })
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const stop = async ({ ctrlC = false } = {}) => {
    if (child.exitCode === null && child.signalCode === null) {
      if (ctrlC && child.pid) process.kill(-child.pid, 'SIGINT')
      else child.kill('SIGTERM')
    }
    const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 30_000)
    const code = await exited
    clearTimeout(timer)
    return code
  }
  const deadline = Date.now() + 180_000
  while (!output.includes('Offside demo is running.')) {
    if (child.exitCode !== null) throw new Error(`the demo exited (${child.exitCode}):\n${output}`)
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`the demo did not start within 180 s:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const text = await readFile(join(dir, 'demo.env'), 'utf8')
  const env = Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  )
  return { child, env, output: () => output, stop }
}

/** What a person would compare between two runs: who exists, what is ordered, held, connected. */
async function dataOf(env: Record<string, string>) {
  // Each answer read here holds one array: agents, tokens, orgs, orders or held.
  const get = async (token: string | undefined, path: string): Promise<Record<string, never[]>> => {
    const res = await fetch(`${env.OFFSIDE_API_URL}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    })
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`)
    return (await res.json()) as Record<string, never[]>
  }
  const admin = env.OFFSIDE_ADMIN_TOKEN
  const ops = env.OFFSIDE_OPS_TOKEN
  // The agent connects a moment after the URLs are printed.
  let agents: { isp: string; agentId: string; connected: boolean }[] = []
  for (let i = 0; i < 150 && !agents.some((a) => a.connected); i++) {
    agents = (await get(ops, '/v1/agents')).agents ?? []
    if (!agents.some((a) => a.connected)) await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const tokens = (await get(admin, '/v1/tokens')).tokens as { org: string }[]
  return {
    orgs: ((await get(admin, '/v1/orgs')).orgs as { id: string; kind: string }[])
      .map((o) => `${o.id}:${o.kind}`)
      .sort(),
    tokensPerOrg: Object.fromEntries(
      [...new Set(tokens.map((tk) => tk.org))].map((org) => [
        org,
        tokens.filter((tk) => tk.org === org).length,
      ]),
    ),
    orders: ((await get(admin, '/v1/orders')).orders as { id: string; suspended: boolean }[]).map(
      (o) => `${o.id}:${o.suspended ? 'suspended' : 'in force'}`,
    ),
    held: ((await get(ops, '/v1/guard/held')).held as { target: string }[]).map((h) => h.target).sort(),
    agents: agents.map((a) => `${a.isp}/${a.agentId}:${a.connected ? 'connected' : 'disconnected'}`),
  }
}

t.test(
  './scripts/demo --fresh twice gives the same data, restarts its Redis if it dies, and leaves no demo.env behind',
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'offside-demo-'))
    t.teardown(() => rm(dir, { recursive: true, force: true }))
    const runs: Awaited<ReturnType<typeof dataOf>>[] = []
    for (const round of [1, 2]) {
      const demo = await startDemo(dir)
      t.teardown(() => demo.stop())
      const mode = (await stat(join(dir, 'demo.env'))).mode & 0o777
      t.equal(mode, 0o600, `run ${round}: demo.env is readable by its owner only`)
      runs.push(await dataOf(demo.env))
      if (round === 1) await noticesAreMailed(t, demo, dir)
      if (round === 1) await secretsStayWithTheirHolders(t, demo)
      if (round === 2) await redisIsRestarted(t, demo)
      // Run 1 stops as a person does, with Ctrl-C reaching every process of the terminal's group.
      const before = demo.output().length
      t.equal(await demo.stop({ ctrlC: round === 1 }), 0, `run ${round}: the demo stops cleanly`)
      t.notMatch(
        demo.output().slice(before),
        /restarting/,
        `run ${round}: nothing is restarted while the demo stops`,
      )
      t.notOk(existsSync(join(dir, 'demo.env')), `run ${round}: demo.env is removed on stop`)
    }
    t.same(runs[1], runs[0], 'the second fresh run shows exactly the data of the first')
    t.same(
      runs[0]?.orgs,
      ['isp-demo:isp', 'ops-taskforce:ops', 'sky-it:rightsholder'],
      'the demo organisations, nothing left over',
    )
    t.same(runs[0]?.tokensPerOrg, { 'isp-demo': 1, 'ops-taskforce': 1, 'sky-it': 1 }, 'one token each')
    t.same(runs[0]?.held, ['188.114.97.7'], 'Cloudflare held')
    t.same(runs[0]?.agents, ['isp-demo/demo-agent-1:connected'], 'one agent, connected, no stale ones')
  },
)

/** Kills the demo's Redis and checks the demo starts it again, with the data it had (AOF). */
async function redisIsRestarted(t: Test, demo: DemoRun): Promise<void> {
  const redis = new Redis(demo.env.OFFSIDE_REDIS_URL!, {
    maxRetriesPerRequest: null,
    retryStrategy: () => 100,
  })
  try {
    const pidOf = async () => Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1])
    const first = await pidOf()
    process.kill(first, 'SIGKILL')
    let second = first
    for (let i = 0; i < 150 && (second === first || Number.isNaN(second)); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      second = await pidOf().catch(() => first)
    }
    t.not(second, first, 'a killed Redis is replaced by a new redis-server on the same port')
    t.match(demo.output(), /redis exited \(SIGKILL\); restarting it/, 'the demo says it restarted Redis')
    const orgs = await fetch(`${demo.env.OFFSIDE_API_URL}/v1/orgs`, {
      headers: { authorization: `Bearer ${demo.env.OFFSIDE_ADMIN_TOKEN}` },
    })
    t.equal(orgs.status, 200, 'the API serves again')
    t.equal(((await orgs.json()) as { orgs: unknown[] }).orgs.length, 3, 'with the data from before (AOF)')
  } finally {
    redis.disconnect()
  }
}

/** The demo runs the portal and the notifier, whose notice of the demo order reaches its SMTP sink. */
async function noticesAreMailed(t: Test, demo: DemoRun, dir: string): Promise<void> {
  const portal = await fetch(`${demo.env.OFFSIDE_PORTAL_URL}/`)
  t.equal(portal.status, 200, 'OFFSIDE_PORTAL_URL serves the public portal')
  const notifier = await fetch(`${demo.env.OFFSIDE_NOTIFIER_URL}/healthz`)
  t.equal(notifier.status, 200, 'OFFSIDE_NOTIFIER_URL answers')
  let mail = ''
  for (let i = 0; i < 150 && !mail.includes('blocchi@pec.isp-demo.example'); i++) {
    mail = await readFile(join(dir, 'logs', 'mail.log'), 'utf8').catch(() => '')
    if (!mail.includes('blocchi@pec.isp-demo.example'))
      await new Promise((resolve) => setTimeout(resolve, 200))
  }
  t.match(mail, /Subject: Blocking order DEMO\/26\/DDA issued/, "the demo order's notice is mailed")
  t.match(mail, /blocchi@pec\.isp-demo\.example/, 'to the demo ISP, through the local SMTP sink')
}

/**
 * Issue #11: the demo's Redis wants a user per service, no token is on a command line or in what
 * the demo prints, and demo.env names no private key.
 */
async function secretsStayWithTheirHolders(t: Test, demo: DemoRun): Promise<void> {
  const address = new URL(demo.env.OFFSIDE_REDIS_URL!)
  const anonymous = new Redis({ host: address.hostname, port: Number(address.port), maxRetriesPerRequest: 0 })
  const dashboard = new Redis(demo.env.OFFSIDE_REDIS_DASHBOARD_URL!, { maxRetriesPerRequest: 0 })
  anonymous.on('error', () => undefined)
  try {
    const refused = (p: Promise<unknown>) =>
      p.then(
        () => 'allowed',
        (err: Error) => err.message.split(' ')[0],
      )
    t.equal(
      await refused(anonymous.get('offside:tokens')),
      'NOAUTH',
      "the demo's Redis answers no one unsigned",
    )
    t.equal(await refused(dashboard.set('offside:orders', '{}')), 'NOPERM', "the dashboard's user only reads")
  } finally {
    anonymous.disconnect()
    dashboard.disconnect()
  }
  const tokens = [demo.env.OFFSIDE_AGENT_TOKEN!, demo.env.OFFSIDE_OPS_TOKEN!, demo.env.OFFSIDE_ADMIN_TOKEN!]
  const commandLines = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
  t.ok(
    tokens.every((token) => !commandLines.includes(token)),
    'no token on any command line (ps)',
  )
  t.ok(
    tokens.every((token) => !demo.output().includes(token)),
    'nor in what the demo prints',
  )
  t.match(
    demo.output(),
    /sign in with the ops token: paste the contents of \S+ops\.token/,
    'it says how to sign in',
  )
  const values = Object.values(demo.env)
  t.notOk(
    values.some((value) => value.endsWith('.pem') && !value.endsWith('.pub.pem')),
    'demo.env names public keys only',
  )
}
