/**
 * The portal against the real API and scheduler (child processes from the checkout) on a real
 * Redis, the portal itself in-process, and Debian's Chromium. Everything listens on loopback.
 */
import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort, startRedis, startServiceProcess } from '@offside/testkit'
import { type Browser, chromium } from 'playwright-core'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'

interface Teardown {
  teardown(fn: () => unknown): void
}

const root = resolve(import.meta.dirname, '../../..')
export const ADMIN_TOKEN = 'test-admin-token-for-the-portal'

export async function startStack(t: Teardown) {
  const dir = await mkdtemp(join(tmpdir(), 'offside-portal-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const redis = await startRedis(t)
  const keys = generateKeyPairSync('ed25519')
  const signingKey = join(dir, 'signing.pem')
  await writeFile(signingKey, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
  const [apiPort, schedulerPort] = await Promise.all([freePort(), freePort()])
  const apiUrl = `http://127.0.0.1:${apiPort}`
  const env = {
    PATH: process.env.PATH,
    OFFSIDE_REDIS_URL: redis.url,
    OFFSIDE_ADMIN_TOKEN: ADMIN_TOKEN,
    OFFSIDE_SIGNING_KEY_FILE: signingKey,
    OFFSIDE_GUARD_ALLOW_SPECIAL: 'documentation',
    OFFSIDE_ASN_DB_DIR: 'off',
    // The portal forwards each visitor's address; the API counts visitors, not the portal.
    OFFSIDE_TRUST_PROXY: '127.0.0.1',
    OFFSIDE_API_PORT: String(apiPort),
    OFFSIDE_SCHEDULER_PORT: String(schedulerPort),
    OFFSIDE_LOG_LEVEL: 'warn',
  }
  const services = await Promise.all(
    (
      [
        ['api', apiPort],
        ['scheduler', schedulerPort],
      ] as const
    ).map(([name, port]) =>
      startServiceProcess({
        name,
        entry: join(root, 'services', name, 'src', 'server.ts'),
        env,
        logFile: join(dir, `${name}.log`),
        port,
        readyPath: '/readyz',
        timeoutMs: 60_000,
      }),
    ),
  )
  t.teardown(() => Promise.all(services.map((service) => service.stop())))

  const portal = await buildApp({ config: loadConfig({ OFFSIDE_API_URL: apiUrl }), logger: false })
  t.teardown(() => portal.close())
  const portalUrl = await portal.listen({ host: '127.0.0.1', port: 0 })

  const call = async <T>(token: string | null, method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`)
    return (text ? JSON.parse(text) : undefined) as T
  }
  const admin = <T>(method: string, path: string, body?: unknown) => call<T>(ADMIN_TOKEN, method, path, body)
  return { apiUrl, portalUrl, call, admin }
}

/** Debian's Chromium, headless, driven by playwright-core (flags as in the dashboard's test). */
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

/** Polls `check` every 200 ms until it returns true, at most `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true
    await new Promise((r) => setTimeout(r, 200))
  }
  return false
}
