#!/usr/bin/env node
/**
 * `offside-agent`: the ISP edge agent. Restores its persisted state into the backend, connects to
 * the gateway and serves /healthz, /readyz, /metrics and /status locally. SIGTERM/SIGINT stop it
 * cleanly; enforcement already programmed keeps running until each group's `until`.
 */
import { loadTrustedKeys } from '@offside/protocol'
import { pino } from 'pino'
import { Agent } from './agent.js'
import { createBackend } from './backends/index.js'
import { ConfigError, loadConfig, USAGE } from './config.js'
import { createStatusServer } from './status-server.js'

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig(process.argv.slice(2), process.env)
  } catch (err) {
    process.stderr.write(`offside-agent: ${(err as Error).message}\n\n${USAGE}\n`)
    process.exit(2)
  }
  if (config === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const log = pino({ level: config.logLevel, base: { agentId: config.agentId } })
  const trustedKeys = await loadTrustedKeys(config.publicKeyFiles)
  const backend = await createBackend(config.backend, config.backendOptions, log)
  const agent = new Agent({
    gatewayUrls: config.gatewayUrls,
    token: config.token,
    agentId: config.agentId,
    backend,
    trustedKeys,
    stateDir: config.stateDir,
    heartbeatMs: config.heartbeatMs,
    reconnectMaxMs: config.reconnectMaxMs,
    log,
  })
  await agent.start()
  const server = createStatusServer(agent)
  await new Promise<void>((resolve) => server.listen(config.metricsPort, config.metricsHost, resolve))
  log.info(
    { port: config.metricsPort, backend: backend.name, keys: [...trustedKeys.keys()] },
    'agent started',
  )

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'stopping')
    server.close()
    await agent.stop()
    process.exit(0)
  }
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`offside-agent: ${err.message}\n`)
  else process.stderr.write(`offside-agent: ${(err as Error)?.stack ?? String(err)}\n`)
  process.exit(1)
})
