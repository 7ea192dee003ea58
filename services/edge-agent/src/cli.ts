#!/usr/bin/env node
/**
 * `offside-agent`: the ISP edge agent. Restores its persisted state into the backend, connects to
 * the gateway and serves /healthz, /readyz, /metrics and /status locally. SIGTERM/SIGINT stop it
 * cleanly; enforcement already programmed keeps running until each group's `until`.
 */
import { readFileSync } from 'node:fs'
import { loadTrustedKeys } from '@offside/protocol'
import { pino } from 'pino'
import { Agent } from './agent.js'
import { createBackends } from './backends/index.js'
import { ConfigError, loadConfig, USAGE } from './config.js'
import {
  createLandingPage,
  LandingPageConfigError,
  landingPageAddress,
  landingPageOptions,
} from './landing-page.js'
import { gatewayAddresses, SafetyNetBackend, SafetyNetConfigError, safetyNetLimits } from './safety-net.js'
import { createStatusServer } from './status-server.js'
import { AGENT_VERSION } from './version.js'

/** Exit statuses (docs/agent.md "Exit status"). */
const EXIT = { stopped: 0, failed: 1, badConfig: 2 } as const

async function main(): Promise<void> {
  if (process.argv[2] === 'rpz-expiry') {
    // The RPZ's stateless expiry primary (docs/agent.md, "DNS backend"): same binary, own process.
    const { runExpiryPrimary } = await import('./rpz-expiry.js')
    return runExpiryPrimary(process.argv.slice(3)).catch((err: Error) => {
      process.stderr.write(`offside-agent rpz-expiry: ${err.message}\n`)
      process.exit(EXIT.badConfig)
    })
  }
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig(process.argv.slice(2), process.env)
  } catch (err) {
    process.stderr.write(`offside-agent: ${(err as Error).message}\n\n${USAGE}\n`)
    process.exit(EXIT.badConfig)
  }
  if (config === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  if (config === 'version') {
    process.stdout.write(`offside-agent ${AGENT_VERSION}\n`)
    return
  }
  const log = pino({ level: config.logLevel, base: { agentId: config.agentId, version: AGENT_VERSION } })
  const trustedKeys = await loadTrustedKeys(config.publicKeyFiles).catch((err: Error) => {
    throw new ConfigError(`--public-key: ${err.message}`)
  })
  let landing: ReturnType<typeof landingPageOptions> | undefined
  try {
    landing = config.landingPage === undefined ? undefined : landingPageOptions(config.landingPage)
  } catch (err) {
    if (err instanceof LandingPageConfigError) throw new ConfigError(err.message)
    throw err
  }
  const device = await createBackends(config, log)
  let limits: ReturnType<typeof safetyNetLimits>
  try {
    limits = safetyNetLimits(config.safetyNet, {
      gateways: await gatewayAddresses(config.gatewayUrls),
      backendCapacity: device.capacity ?? Number.POSITIVE_INFINITY,
    })
  } catch (err) {
    if (err instanceof SafetyNetConfigError) throw new ConfigError(err.message)
    throw err
  }
  // Every revision passes the ISP's own limits before the device sees it (SPEC rule 16).
  const backend = new SafetyNetBackend(device, limits)
  const tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {}
  for (const [name, file] of Object.entries(config.tlsFiles)) {
    try {
      tls[name as keyof typeof tls] = readFileSync(file)
    } catch (err) {
      throw new ConfigError(`${name} file ${file}: ${(err as Error).message}`)
    }
  }
  const agent = new Agent({
    gatewayUrls: config.gatewayUrls,
    token: config.token,
    tls,
    agentId: config.agentId,
    backend,
    trustedKeys,
    stateDir: config.stateDir,
    heartbeatMs: config.heartbeatMs,
    reconnectMaxMs: config.reconnectMaxMs,
    maxClockOffsetMs: config.maxClockOffsetMs,
    // The test hook (OFFSIDE_AGENT_CLOCK_OFFSET_MS) shifts every reading of the clock, as a skewed
    // host clock would; 0 leaves the real clock.
    ...(config.clockOffsetMs !== 0 ? { now: () => Date.now() + config.clockOffsetMs } : {}),
    log,
  })
  await agent.start()
  const server = createStatusServer(agent)
  await new Promise<void>((resolve) => server.listen(config.metricsPort, config.metricsHost, resolve))
  log.info(
    { port: config.metricsPort, backend: backend.name, keys: [...trustedKeys.keys()] },
    'agent started',
  )
  if (backend.name === 'dry-run') log.warn('dry-run backend: nothing is enforced on this machine')
  const landingPage = landing ? createLandingPage(landing) : undefined
  if (landing && landingPage) {
    const { host, port } = landingPageAddress(landing)
    await new Promise<void>((resolve) => landingPage.listen(port, host, resolve))
    log.info({ host, port }, 'landing page (HTTP 451) serving')
  }

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'stopping')
    server.close()
    landingPage?.close()
    await agent.stop()
    process.exit(EXIT.stopped)
  }
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`offside-agent: ${err.message}\n`)
    process.exit(EXIT.badConfig)
  }
  process.stderr.write(`offside-agent: ${(err as Error)?.stack ?? String(err)}\n`)
  process.exit(EXIT.failed)
})
