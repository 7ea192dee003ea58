// The demo orchestrator behind ./scripts/demo. Starts what exists, in order, on free ports, on
// the test stack (packages/testkit/src/stack.ts) with the demo's own Redis, keys and logs.
import { existsSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import {
  createProcessGroup,
  freePort,
  nodeArgs,
  type ServiceName,
  SMTP_SINK_SCRIPT,
  type Stack,
  startStack,
} from '@offside/testkit'
import { removeDemoEnv, writeDemoEnv } from './demo-env.js'
import { BREAKER_DEMO_ENV, DEMO_USAGE, parseDemoOptions } from './options.js'
import { startSupervisedRedis } from './redis.js'
import { keyPairFiles, redisUsers, writeTokenFile } from './secrets.js'
import { waitForTcp } from './wait.js'

const root = resolve(import.meta.dirname, '../../..')
const options = (() => {
  try {
    return parseDemoOptions(process.argv.slice(2), process.env, root)
  } catch (err) {
    console.error(`offside demo: ${(err as Error).message}\n\n${DEMO_USAGE}`)
    process.exit(2)
  }
})()
if (options === 'help') {
  console.log(DEMO_USAGE)
  process.exit(0)
}
const { fresh, breaker } = options
const stateDir = options.stateDir
const logDir = join(stateDir, 'logs')
const envFile = join(stateDir, 'demo.env')

// Every process the demo starts, its own and the stack's: an exit nobody asked for is reported.
const group = createProcessGroup({
  onUnexpectedExit: (name, how) =>
    console.error(`offside demo: ${name} exited (${how}); see .offside/logs/${name}.log`),
})
let stack: Stack | undefined

/** The settings a person gave the demo in its environment (OFFSIDE_LOG_LEVEL, breaker limits…). */
function givenSettings(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && entry[0].startsWith('OFFSIDE_') && entry[0] !== 'OFFSIDE_ADMIN_TOKEN',
    ),
  )
}

function serviceEntry(name: string): string | undefined {
  const entry = join(root, 'services', name, 'src', 'server.ts')
  return existsSync(entry) ? entry : undefined
}

async function main(): Promise<void> {
  if (fresh) {
    // Empty data: the previous run's Redis (orgs, lists, revisions, agents) and the agent's state.
    for (const dir of ['redis', 'agent', 'logs'])
      await rm(join(stateDir, dir), { recursive: true, force: true })
  }
  await mkdir(logDir, { recursive: true })
  // Redis is not the root of trust: each service signs in as its own ACL user, default off.
  const users = await redisUsers(stateDir)
  const redisUrl = await startSupervisedRedis(group, stateDir, logDir, ['--aclfile', users.aclFile])
  // Three keys, three holders: the gateway signs pushes, the scheduler audit checkpoints, the
  // notifier webhooks. No other process (nor demo.env, nor Redis) is given a private key.
  const keys = await keyPairFiles(stateDir, 'signing-key')
  const checkpointKeys = await keyPairFiles(stateDir, 'checkpoint-key')
  const noticeKeys = await keyPairFiles(stateDir, 'notice-key')
  // The API signs the prosecutor's export with a fourth key of its own (docs/api.md, Reports).
  const reportKeys = await keyPairFiles(stateDir, 'report-key')
  // The stack gives the gateway, the scheduler and the notifier their keys; the API's is the demo's.
  const ownEnv: Partial<Record<ServiceName, Record<string, string>>> = {
    api: { OFFSIDE_REPORT_SIGNING_KEY_FILE: reportKeys.privateKey },
    // The scheduler's own checkpoint period, not the test stack's one second (empty is unset).
    scheduler: { OFFSIDE_CHECKPOINT_INTERVAL_MS: '' },
  }
  // The notifier's mail goes to a local SMTP sink (a real SMTP server, its own process): every
  // message it accepts is one JSON line in .offside/logs/mail.log, and nothing leaves the machine.
  const smtpPort = await freePort()
  group.spawn('mail', process.execPath, [...nodeArgs(SMTP_SINK_SCRIPT), String(smtpPort)], {
    env: process.env,
    logFile: join(logDir, 'mail.log'),
  })
  await waitForTcp(smtpPort)
  // What every process may know; each service adds its own Redis user and key (the stack, ownEnv).
  const env: Record<string, string> = {
    ...givenSettings(),
    OFFSIDE_SIGNING_PUBLIC_KEY: keys.publicKey,
    OFFSIDE_GUARD_ALLOW_SPECIAL: 'documentation',
    // The portal forwards each visitor's address; the API's public rate limit counts visitors.
    OFFSIDE_TRUST_PROXY: '127.0.0.1',
    OFFSIDE_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    OFFSIDE_NOTIFY_FROM: 'Offside demo <offside@authority.example>',
    ...(breaker ? BREAKER_DEMO_ENV : {}),
  }
  const demoEnv: Record<string, string> = {
    // The operator's Redis user (redis-cli -u "$OFFSIDE_REDIS_URL"); the services' are below.
    OFFSIDE_REDIS_URL: users.urlOf(redisUrl, 'admin'),
    OFFSIDE_ADMIN_TOKEN: '',
    OFFSIDE_SIGNING_PUBLIC_KEY: keys.publicKey,
    OFFSIDE_CHECKPOINT_PUBLIC_KEY: checkpointKeys.publicKey,
    OFFSIDE_NOTICE_PUBLIC_KEY: noticeKeys.publicKey,
    OFFSIDE_REPORT_PUBLIC_KEY: reportKeys.publicKey,
    OFFSIDE_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
  }

  const services = [
    { name: 'api', urlVar: 'OFFSIDE_API_URL', scheme: 'http' },
    { name: 'scheduler', urlVar: 'OFFSIDE_SCHEDULER_URL', scheme: 'http' },
    { name: 'gateway', urlVar: 'OFFSIDE_GATEWAY_URL', scheme: 'ws' },
    { name: 'dashboard', urlVar: 'OFFSIDE_DASHBOARD_URL', scheme: 'http' },
    { name: 'portal', urlVar: 'OFFSIDE_PORTAL_URL', scheme: 'http' },
    { name: 'notifier', urlVar: 'OFFSIDE_NOTIFIER_URL', scheme: 'http' },
  ] as const
  // Every port first, so that every service is told every URL.
  const ports: Partial<Record<ServiceName, number>> = {}
  for (const service of services) {
    const port = await freePort()
    ports[service.name] = port
    demoEnv[service.urlVar] = `${service.scheme}://127.0.0.1:${port}`
    env[service.urlVar] = demoEnv[service.urlVar]!
  }
  stack = await startStack(undefined, {
    services: [],
    redis: { url: redisUrl },
    // Each service signs in to Redis as its own ACL user; the portal reads no Redis.
    redisUrlFor: (user, url) => (user === 'portal' ? url : users.urlOf(url, user)),
    env,
    group,
    logDir,
    keys: { signing: keys, checkpoint: checkpointKeys, notice: noticeKeys },
    ports,
    logLevel: process.env.OFFSIDE_LOG_LEVEL ?? 'info',
  })
  const adminToken = stack.admin
  demoEnv.OFFSIDE_ADMIN_TOKEN = adminToken
  // In order, each ready before the next: the dashboard and the portal read the API.
  for (const service of services) {
    if (!serviceEntry(service.name)) {
      delete demoEnv[service.urlVar]
      continue
    }
    await stack.start(service.name, { env: ownEnv[service.name] ?? {} })
  }

  const loader = join(root, 'scripts', 'lib', 'demo', 'load-data.ts')
  if (serviceEntry('api') && existsSync(loader)) {
    const { loadDemoData } = (await import(loader)) as {
      loadDemoData(
        apiUrl: string,
        adminToken: string,
      ): Promise<{ env: Record<string, string>; summary: string[] }>
    }
    const loaded = await loadDemoData(demoEnv.OFFSIDE_API_URL!, adminToken)
    Object.assign(demoEnv, loaded.env)
    for (const line of loaded.summary) console.log(line)
  }

  const agent = join(root, 'services', 'edge-agent', 'src', 'cli.ts')
  if (existsSync(agent) && serviceEntry('gateway') && demoEnv.OFFSIDE_AGENT_TOKEN) {
    const statusPort = await freePort()
    demoEnv.OFFSIDE_AGENT_STATUS_URL = `http://127.0.0.1:${statusPort}/status`
    // The token in a file (mode 0600), never on the command line where `ps` shows it to everyone.
    await stack.startAgent({
      id: 'demo-agent-1',
      name: 'agent',
      token: demoEnv.OFFSIDE_AGENT_TOKEN,
      tokenFile: join(stateDir, 'agent.token'),
      gateways: [demoEnv.OFFSIDE_GATEWAY_URL!],
      stateDir: join(stateDir, 'agent'),
      statusPort,
      // The agent's own heartbeat and back-off, not the test stack's.
      testTimings: false,
    })
  }

  for (const user of ['api', 'scheduler', 'gateway', 'dashboard', 'notifier'] as const)
    demoEnv[`OFFSIDE_REDIS_${user.toUpperCase()}_URL`] = users.urlOf(redisUrl, user)
  await writeDemoEnv(envFile, demoEnv)
  console.log('\nOffside demo is running. Ctrl-C stops everything.')
  // Secrets stay in the 0600 file; the terminal (and its scrollback) gets the rest.
  for (const [key, value] of Object.entries(demoEnv))
    console.log(`  ${key}=${/TOKEN|REDIS.*URL/.test(key) ? '(in demo.env)' : value}`)
  console.log(`\nThese are in ${envFile}; logs in ${logDir}`)
  if (demoEnv.OFFSIDE_DASHBOARD_URL && demoEnv.OFFSIDE_OPS_TOKEN) {
    // No token in the URL (it would stay in the browser's history): the ops user pastes it once.
    const opsTokenFile = await writeTokenFile(join(stateDir, 'ops.token'), demoEnv.OFFSIDE_OPS_TOKEN)
    console.log(`\nDashboard: ${demoEnv.OFFSIDE_DASHBOARD_URL}/`)
    console.log(`  sign in with the ops token: paste the contents of ${opsTokenFile} (cat ${opsTokenFile})`)
  }
  if (demoEnv.OFFSIDE_PORTAL_URL) console.log(`Public transparency portal: ${demoEnv.OFFSIDE_PORTAL_URL}/`)
  if (demoEnv.OFFSIDE_NOTIFIER_URL)
    console.log(`Notices of orders are mailed to a local SMTP sink: ${join(logDir, 'mail.log')}`)
  if (breaker) {
    console.log(
      'Circuit-breaker demo: tiny breaker floors, so the demo list waits for ops (./scripts/offside breaker list).',
    )
  }
  if (demoEnv.OFFSIDE_AGENT_STATUS_URL) {
    console.log(`Demo agent (dry-run) status: ${demoEnv.OFFSIDE_AGENT_STATUS_URL}`)
  }
}

let shuttingDown = false
async function shutdown(code: number): Promise<void> {
  if (shuttingDown) return
  shuttingDown = true
  group.beginStopping()
  console.log('\nstopping…')
  await removeDemoEnv(envFile)
  // The stack's services and agent first, then the mail sink, Redis last.
  await stack?.stop()
  await group.stop()
  process.exit(code)
}
process.on('SIGINT', () => void shutdown(0))
process.on('SIGTERM', () => void shutdown(0))

main().catch(async (err: unknown) => {
  console.error(`offside demo failed: ${(err as Error).message}`)
  await shutdown(1)
})
