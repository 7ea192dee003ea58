// The demo orchestrator behind ./scripts/demo. Starts what exists, in order, on free ports.
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { freePort, SMTP_SINK_SCRIPT } from '@offside/testkit'
import { removeDemoEnv, writeDemoEnv } from './demo-env.js'
import { BREAKER_DEMO_ENV, DEMO_USAGE, parseDemoOptions } from './options.js'
import { beginStopping, isStopping, startNodeService, stopAll } from './processes.js'
import { startSupervisedRedis } from './redis.js'
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

async function signingKeyFiles(): Promise<{ privateKey: string; publicKey: string }> {
  const privateKey = join(stateDir, 'signing-key.pem')
  const publicKey = join(stateDir, 'signing-key.pub.pem')
  if (!existsSync(privateKey)) {
    const pair = generateKeyPairSync('ed25519')
    await writeFile(privateKey, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
    await writeFile(publicKey, pair.publicKey.export({ type: 'spki', format: 'pem' }))
  }
  return { privateKey, publicKey }
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
  const redisUrl = await startSupervisedRedis(stateDir, logDir, isStopping)
  const keys = await signingKeyFiles()
  // The notifier's mail goes to a local SMTP sink (a real SMTP server, its own process): every
  // message it accepts is one JSON line in .offside/logs/mail.log, and nothing leaves the machine.
  const smtpPort = await freePort()
  startNodeService('mail', SMTP_SINK_SCRIPT, { logDir, args: [String(smtpPort)] })
  await waitForTcp(smtpPort)
  const adminToken = `adm_${randomBytes(24).toString('base64url')}`
  const env: Record<string, string> = {
    OFFSIDE_REDIS_URL: redisUrl,
    OFFSIDE_ADMIN_TOKEN: adminToken,
    OFFSIDE_SIGNING_KEY_FILE: keys.privateKey,
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
    OFFSIDE_REDIS_URL: redisUrl,
    OFFSIDE_ADMIN_TOKEN: adminToken,
    OFFSIDE_SIGNING_PUBLIC_KEY: keys.publicKey,
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
    startNodeService(service.name, entry, { env, logDir })
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
    demoEnv.OFFSIDE_AGENT_STATUS_URL = `http://127.0.0.1:${statusPort}/status`
    startNodeService('agent', agent, {
      env,
      logDir,
      args: [
        '--gateway',
        demoEnv.OFFSIDE_GATEWAY_URL!,
        '--token',
        demoEnv.OFFSIDE_AGENT_TOKEN,
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

  await writeDemoEnv(envFile, demoEnv)
  console.log('\nOffside demo is running. Ctrl-C stops everything.')
  for (const [key, value] of Object.entries(demoEnv)) console.log(`  ${key}=${value}`)
  console.log(`\nThese are in ${envFile}; logs in ${logDir}`)
  if (demoEnv.OFFSIDE_DASHBOARD_URL && demoEnv.OFFSIDE_OPS_TOKEN) {
    console.log(
      `\nDashboard (signed in as ops): ${demoEnv.OFFSIDE_DASHBOARD_URL}/?token=${demoEnv.OFFSIDE_OPS_TOKEN}`,
    )
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
