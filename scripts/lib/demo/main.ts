// The demo orchestrator behind ./scripts/demo. Starts what exists, in order, on free ports.
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { freePort, SMTP_SINK_SCRIPT } from '@offside/testkit'
import { removeDemoEnv, writeDemoEnv } from './demo-env.js'
import { BREAKER_DEMO_ENV, DEMO_USAGE, parseDemoOptions } from './options.js'
import { beginStopping, isStopping, startNodeService, stopAll } from './processes.js'
import { startSupervisedRedis } from './redis.js'
import { keyPairFiles, redisUsers, writeTokenFile } from './secrets.js'
import { waitForHttp, waitForTcp } from './wait.js'

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
  const redisUrl = await startSupervisedRedis(stateDir, logDir, isStopping, ['--aclfile', users.aclFile])
  // Three keys, three holders: the gateway signs pushes, the scheduler audit checkpoints, the
  // notifier webhooks. No other process (nor demo.env, nor Redis) is given a private key.
  const keys = await keyPairFiles(stateDir, 'signing-key')
  const checkpointKeys = await keyPairFiles(stateDir, 'checkpoint-key')
  const noticeKeys = await keyPairFiles(stateDir, 'notice-key')
  // The API signs the prosecutor's export with a fourth key of its own (docs/api.md, Reports).
  const reportKeys = await keyPairFiles(stateDir, 'report-key')
  const ownEnv: Record<string, Record<string, string>> = {
    api: { OFFSIDE_REPORT_SIGNING_KEY_FILE: reportKeys.privateKey },
    gateway: { OFFSIDE_SIGNING_KEY_FILE: keys.privateKey },
    scheduler: { OFFSIDE_CHECKPOINT_KEY_FILE: checkpointKeys.privateKey },
    notifier: { OFFSIDE_NOTICE_KEY_FILE: noticeKeys.privateKey },
  }
  for (const user of ['api', 'scheduler', 'gateway', 'dashboard', 'notifier'] as const)
    ownEnv[user] = { ...ownEnv[user], OFFSIDE_REDIS_URL: users.urlOf(redisUrl, user) }
  // The notifier's mail goes to a local SMTP sink (a real SMTP server, its own process): every
  // message it accepts is one JSON line in .offside/logs/mail.log, and nothing leaves the machine.
  const smtpPort = await freePort()
  startNodeService('mail', SMTP_SINK_SCRIPT, { logDir, args: [String(smtpPort)] })
  await waitForTcp(smtpPort)
  const adminToken = `adm_${randomBytes(24).toString('base64url')}`
  // What every process may know; each service adds its own Redis user and key (ownEnv).
  const env: Record<string, string> = {
    OFFSIDE_ADMIN_TOKEN: adminToken,
    OFFSIDE_SIGNING_PUBLIC_KEY: keys.publicKey,
    OFFSIDE_GUARD_ALLOW_SPECIAL: 'documentation',
    // The portal forwards each visitor's address; the API's public rate limit counts visitors.
    OFFSIDE_TRUST_PROXY: '127.0.0.1',
    OFFSIDE_LOG_LEVEL: process.env.OFFSIDE_LOG_LEVEL ?? 'info',
    OFFSIDE_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    OFFSIDE_NOTIFY_FROM: 'Offside demo <offside@authority.example>',
    ...(breaker ? BREAKER_DEMO_ENV : {}),
  }
  const demoEnv: Record<string, string> = {
    // The operator's Redis user (redis-cli -u "$OFFSIDE_REDIS_URL"); the services' are below.
    OFFSIDE_REDIS_URL: users.urlOf(redisUrl, 'admin'),
    OFFSIDE_ADMIN_TOKEN: adminToken,
    OFFSIDE_SIGNING_PUBLIC_KEY: keys.publicKey,
    OFFSIDE_CHECKPOINT_PUBLIC_KEY: checkpointKeys.publicKey,
    OFFSIDE_NOTICE_PUBLIC_KEY: noticeKeys.publicKey,
    OFFSIDE_REPORT_PUBLIC_KEY: reportKeys.publicKey,
    OFFSIDE_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
  }

  const services = [
    { name: 'api', portVar: 'OFFSIDE_API_PORT', urlVar: 'OFFSIDE_API_URL', scheme: 'http' },
    { name: 'scheduler', portVar: 'OFFSIDE_SCHEDULER_PORT', urlVar: 'OFFSIDE_SCHEDULER_URL', scheme: 'http' },
    { name: 'gateway', portVar: 'OFFSIDE_GATEWAY_PORT', urlVar: 'OFFSIDE_GATEWAY_URL', scheme: 'ws' },
    { name: 'dashboard', portVar: 'OFFSIDE_DASHBOARD_PORT', urlVar: 'OFFSIDE_DASHBOARD_URL', scheme: 'http' },
    { name: 'portal', portVar: 'OFFSIDE_PORTAL_PORT', urlVar: 'OFFSIDE_PORTAL_URL', scheme: 'http' },
    { name: 'notifier', portVar: 'OFFSIDE_NOTIFIER_PORT', urlVar: 'OFFSIDE_NOTIFIER_URL', scheme: 'http' },
  ]
  for (const service of services) {
    const port = await freePort()
    env[service.portVar] = String(port)
    demoEnv[service.urlVar] = `${service.scheme}://127.0.0.1:${port}`
    env[service.urlVar] = demoEnv[service.urlVar]!
  }
  for (const service of services) {
    const entry = serviceEntry(service.name)
    if (!entry) {
      delete demoEnv[service.urlVar]
      continue
    }
    startNodeService(service.name, entry, { env: { ...env, ...ownEnv[service.name] }, logDir })
    await waitForHttp(`http://127.0.0.1:${env[service.portVar]}/healthz`)
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
    // The token in a file (mode 0600), never on the command line where `ps` shows it to everyone.
    const tokenFile = await writeTokenFile(join(stateDir, 'agent.token'), demoEnv.OFFSIDE_AGENT_TOKEN)
    demoEnv.OFFSIDE_AGENT_STATUS_URL = `http://127.0.0.1:${statusPort}/status`
    startNodeService('agent', agent, {
      env,
      logDir,
      args: [
        '--gateway',
        demoEnv.OFFSIDE_GATEWAY_URL!,
        '--token-file',
        tokenFile,
        '--agent-id',
        'demo-agent-1',
        '--backend',
        'dry-run',
        '--public-key',
        keys.publicKey,
        '--state-dir',
        join(stateDir, 'agent'),
        '--metrics-port',
        String(statusPort),
      ],
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
  beginStopping()
  console.log('\nstopping…')
  await removeDemoEnv(envFile)
  await stopAll()
  process.exit(code)
}
process.on('SIGINT', () => void shutdown(0))
process.on('SIGTERM', () => void shutdown(0))

main().catch(async (err: unknown) => {
  console.error(`offside demo failed: ${(err as Error).message}`)
  await shutdown(1)
})
