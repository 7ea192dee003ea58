/**
 * Test helpers: the real Offside services as child processes from the checkout (API, scheduler,
 * gateway, dry-run edge agents), the dashboard in-process, and headless Chromium. Every process
 * listens on loopback only and is stopped at teardown.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort, startRedis } from '@offside/testkit'
import type { FastifyInstance } from 'fastify'
import { type Browser, chromium } from 'playwright-core'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'

interface Teardown {
  teardown(fn: () => unknown): void
}

const root = resolve(import.meta.dirname, '../../..')
export const ADMIN_TOKEN = 'test-admin-token-for-the-dashboard'

export function serviceExists(name: string): boolean {
  return existsSync(join(root, 'services', name, 'src', 'server.ts'))
}

async function waitForHttp(
  url: string,
  child: ChildProcess,
  log: () => string,
  timeoutMs = 40_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited ${child.exitCode}\n${log()}`)
    try {
      if ((await fetch(url)).ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 150))
  }
  throw new Error(`${url} did not become ready\n${log()}`)
}

/** Starts a TypeScript entry point of the checkout; stops it (SIGTERM) at teardown. */
function startNode(t: Teardown, entry: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=@offside/source', '--import', 'tsx', entry, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    const force = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(force)
  }
  t.teardown(stop)
  return { child, stop, output: () => output }
}

export interface Stack {
  redisUrl: string
  apiUrl: string
  gatewayUrl: string
  dashboardUrl: string
  dashboard: FastifyInstance
  publicKeyFile: string
  dir: string
  /** Calls the API with a token; throws on a non-2xx answer. */
  call<T = unknown>(token: string, method: string, path: string, body?: unknown): Promise<T>
  /** Calls the API as the authority (the bootstrap token). */
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T>
  /** Starts a dry-run edge agent for an ISP token; `stop()` disconnects it. */
  startAgent(token: string, agentId: string): Promise<{ stop(): Promise<void> }>
}

/** Redis, API, scheduler and gateway processes, and the dashboard in this process. */
export async function startStack(
  t: Teardown,
  options: {
    services?: ('api' | 'scheduler' | 'gateway')[]
    /** Extra environment for the service processes (e.g. small circuit-breaker limits). */
    env?: Record<string, string>
  } = {},
): Promise<Stack> {
  const wanted = options.services ?? ['api', 'scheduler', 'gateway']
  const redis = await startRedis(t)
  const dir = await mkdtemp(join(tmpdir(), 'offside-dashboard-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const pair = generateKeyPairSync('ed25519')
  const privateKeyFile = join(dir, 'signing-key.pem')
  const publicKeyFile = join(dir, 'signing-key.pub.pem')
  await writeFile(privateKeyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
  await writeFile(publicKeyFile, pair.publicKey.export({ type: 'spki', format: 'pem' }))
  const [apiPort, schedulerPort, gatewayPort] = await Promise.all([freePort(), freePort(), freePort()])
  const env = {
    OFFSIDE_REDIS_URL: redis.url,
    OFFSIDE_ADMIN_TOKEN: ADMIN_TOKEN,
    OFFSIDE_SIGNING_KEY_FILE: privateKeyFile,
    OFFSIDE_GUARD_ALLOW_SPECIAL: 'documentation',
    OFFSIDE_API_PORT: String(apiPort),
    OFFSIDE_SCHEDULER_PORT: String(schedulerPort),
    OFFSIDE_GATEWAY_PORT: String(gatewayPort),
    OFFSIDE_LOG_LEVEL: 'warn',
    ...options.env,
  }
  const apiUrl = `http://127.0.0.1:${apiPort}`
  const services: [string, number][] = [
    ['api', apiPort],
    ['scheduler', schedulerPort],
    ['gateway', gatewayPort],
  ]
  await Promise.all(
    services
      .filter(([name]) => wanted.includes(name as 'api') && serviceExists(name))
      .map(async ([name, port]) => {
        const proc = startNode(t, join(root, 'services', name, 'src', 'server.ts'), [], env)
        await waitForHttp(`http://127.0.0.1:${port}/healthz`, proc.child, proc.output)
      }),
  )

  const dashboard = await buildApp({
    config: loadConfig({ ...env, OFFSIDE_API_URL: apiUrl, OFFSIDE_DASHBOARD_POLL_MS: '250' }),
  })
  t.teardown(() => dashboard.close())
  const dashboardUrl = await dashboard.listen({ host: '127.0.0.1', port: 0 })

  const call = async <T>(token: string, method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`)
    return (text ? JSON.parse(text) : undefined) as T
  }
  const admin = <T>(method: string, path: string, body?: unknown) => call<T>(ADMIN_TOKEN, method, path, body)

  const gatewayUrl = `ws://127.0.0.1:${gatewayPort}/v1/agents/stream`
  const startAgent = async (token: string, agentId: string) => {
    const stateDir = join(dir, `agent-${agentId}`)
    const metricsPort = await freePort()
    const proc = startNode(
      t,
      join(root, 'services', 'edge-agent', 'src', 'cli.ts'),
      [
        '--gateway',
        gatewayUrl,
        '--token',
        token,
        '--agent-id',
        agentId,
        '--backend',
        'dry-run',
        '--public-key',
        publicKeyFile,
        '--state-dir',
        stateDir,
        '--metrics-port',
        String(metricsPort),
        '--log-level',
        'warn',
      ],
      {},
    )
    return { stop: proc.stop }
  }

  return {
    redisUrl: redis.url,
    apiUrl,
    gatewayUrl,
    dashboardUrl,
    dashboard,
    publicKeyFile,
    dir,
    call,
    admin,
    startAgent,
  }
}

/** Debian's Chromium, headless, driven by playwright-core; closed at teardown. */
export async function launchBrowser(t: Teardown): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  t.teardown(() => browser.close())
  return browser
}
