/**
 * A lab for the DNS backend on a real resolver: one network namespace made for the test, holding a
 * real `unbound` or `named` (config and state in a temporary folder, listening on the namespace's
 * loopback only), the agent's expiry primary, and the real agent process (`cli.ts --dns-backend
 * rpz`). The agent reaches the test's fake gateway through a Unix-socket bridge, so nothing is
 * configured outside the namespace. The resolver serves `.test` names itself (an authoritative
 * zone), so answers need no network.
 */
import type { ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bridgeIntoNetns, createNetns } from '@offside/testkit'
import { startFakeGateway } from './fake-gateway.js'

type Tap = { teardown(fn: () => unknown): void; comment(...args: unknown[]): void }

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/** The `.test` names the resolver answers by itself, and their addresses. */
export const NAMES = {
  'listed.test': '198.51.100.10',
  'other.test': '198.51.100.20',
  'hot.test': '198.51.100.30',
  'www.wild.test': '198.51.100.40',
} as const

/** SOA timers short enough for tests: a dead agent's policy goes within expire + refresh + probes. */
export const TEST_TIMERS = { refresh: 1, retry: 1, expire: 3, minimum: 1 }
export const ZONE = 'rpz.offside'
const AGENT_ZONE_PORT = 5353
/** The expiry primary has an address of its own, so the agent's NOTIFY (from 127.0.0.1) names the agent. */
const EXPIRY = '127.0.0.2'
const EXPIRY_PORT = 5354

export interface Answer {
  status: string
  addresses: string[]
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))

function testZone(): string {
  const lines = [
    '$ORIGIN test.',
    '@ 60 IN SOA localhost. hostmaster.test. 1 3600 600 86400 60',
    '@ 60 IN NS localhost.',
  ]
  for (const [name, address] of Object.entries(NAMES)) lines.push(`${name}. 60 IN A ${address}`)
  return `${lines.join('\n')}\n`
}

function unboundConfig(dir: string): string {
  return `server:
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: "${dir}/unbound.pid"
  interface: 127.0.0.1
  port: 53
  do-daemonize: no
  use-syslog: no
  logfile: ""
  verbosity: ${process.env.OFFSIDE_UNBOUND_VERBOSITY ?? 1}
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  module-config: "respip iterator"
  local-zone: "test." nodefault
auth-zone:
  name: "test."
  zonefile: "${dir}/test.zone"
  for-downstream: yes
  for-upstream: yes
rpz:
  name: ${ZONE}.
  primary: 127.0.0.1@${AGENT_ZONE_PORT}
  primary: ${EXPIRY}@${EXPIRY_PORT}
  allow-notify: 127.0.0.1
  rpz-log: no
remote-control:
  control-enable: no
`
}

function namedConfig(dir: string): string {
  return `options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  session-keyfile "${dir}/session.key";
  managed-keys-directory "${dir}";
  listen-on port 53 { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion yes;
  allow-query { 127.0.0.1; };
  dnssec-validation no;
  notify no;
  min-refresh-time 1;
  min-retry-time 1;
  response-policy { zone "${ZONE}"; } recursive-only no qname-wait-recurse no min-update-interval 0;
};
controls { };
logging { channel out { stderr; severity info; }; category default { out; }; category rpz { null; }; };
zone "test" { type primary; file "${dir}/test.zone"; };
zone "${ZONE}" {
  type secondary;
  primaries { 127.0.0.1 port ${AGENT_ZONE_PORT}; ${EXPIRY} port ${EXPIRY_PORT}; };
  allow-notify { 127.0.0.1; };
};
`
}

export async function startResolverLab(t: Tap, resolver: 'unbound' | 'named') {
  const ns = await createNetns(t, 'rpz')
  const dir = await mkdtemp(join(tmpdir(), `offside-rpz-${resolver}-`))
  const children: ChildProcess[] = []
  t.teardown(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await ns.remove()
    if (process.env.OFFSIDE_E2E_KEEP) t.comment(`logs kept in ${dir}`)
    else await rm(dir, { recursive: true, force: true })
  })
  const gateway = await startFakeGateway(t)
  const gatewayPort = Number(new URL(gateway.url).port)
  await bridgeIntoNetns(t, ns, gatewayPort, 8081)
  await writeFile(join(dir, 'test.zone'), testZone())
  const publicKeyFile = join(dir, 'gateway.pub.pem')
  await writeFile(publicKeyFile, gateway.publicKeyPem)

  let counter = 0
  const spawnLogged = (name: string, command: string, args: string[]) => {
    const child = ns.spawn(command, args, { cwd: root })
    const log = createWriteStream(join(dir, `${name}-${++counter}.log`))
    child.stdout?.pipe(log)
    child.stderr?.pipe(log)
    children.push(child)
    return child
  }

  const resolve = async (name: string): Promise<Answer> => {
    const { stdout } = await ns.exec('dig', ['+tries=1', '+time=1', '@127.0.0.1', name, 'A'])
    const status = /status: (\w+)/.exec(stdout)?.[1] ?? 'NO-ANSWER'
    const addresses = [...stdout.matchAll(/^\S+\s+\d+\s+IN\s+A\s+(\S+)$/gm)].map((match) => match[1]!)
    return { status, addresses }
  }

  /** Polls the resolver for `name` until `done` holds or `ms` pass; returns the last answer. */
  const waitForAnswer = async (name: string, done: (answer: Answer) => boolean, ms: number) => {
    const deadline = Date.now() + ms
    for (;;) {
      const answer = await resolve(name).catch(() => ({ status: 'ERROR', addresses: [] }))
      if (done(answer) || Date.now() > deadline) return answer
      await sleep(100)
    }
  }

  const node = (script: string, args: string[]) => [
    '--conditions=@offside/source',
    '--import',
    'tsx',
    script,
    ...args,
  ]
  const timerArgs = Object.entries(TEST_TIMERS).flatMap(([key, value]) => [`--${key}`, String(value)])

  return {
    ns,
    dir,
    gateway,
    resolve,
    waitForAnswer,
    async startResolver() {
      if (resolver === 'unbound') {
        await writeFile(join(dir, 'unbound.conf'), unboundConfig(dir))
        spawnLogged('unbound', 'unbound', ['-d', '-c', join(dir, 'unbound.conf')])
      } else {
        await writeFile(join(dir, 'named.conf'), namedConfig(dir))
        spawnLogged('named', 'named', ['-g', '-4', '-n', '1', '-c', join(dir, 'named.conf')])
      }
      const answer = await waitForAnswer('other.test', (a) => a.status === 'NOERROR', 15_000)
      if (answer.status !== 'NOERROR') throw new Error(`${resolver} did not start, see ${dir}`)
    },
    async startExpiryPrimary() {
      const args = ['--zone', ZONE, '--listen', `${EXPIRY}:${EXPIRY_PORT}`, ...timerArgs]
      args.push('--allow', '127.0.0.1', '--allow', EXPIRY)
      spawnLogged('expiry', process.execPath, node('services/edge-agent/src/cli.ts', ['rpz-expiry', ...args]))
    },
    /** Starts the agent process in the namespace; resolves once it has said hello to the gateway. */
    async startAgent(options: { backend?: string; rpz?: Record<string, unknown> } = {}) {
      const config = join(dir, `agent-${counter + 1}.json`)
      const settings = {
        listen: `127.0.0.1:${AGENT_ZONE_PORT}`,
        notify: ['127.0.0.1:53'],
        zone: ZONE,
        ttl: 1,
        timers: TEST_TIMERS,
        ...options.rpz,
      }
      const backend = options.backend ?? 'rpz'
      await writeFile(
        config,
        JSON.stringify({
          rpz: settings,
          ...(backend === 'nftables' ? { nftables: { hooks: ['output'] } } : {}),
        }),
      )
      const from = gateway.received.length
      const args = [
        ...['--gateway', 'ws://127.0.0.1:8081', '--token', 'ofs_test', '--agent-id', 'edge-dns'],
        ...['--backend', backend, ...(backend === 'rpz' ? [] : ['--dns-backend', 'rpz']), '--config', config],
        ...['--public-key', publicKeyFile, '--state-dir', join(dir, 'agent-state')],
        ...['--heartbeat-ms', '1000', '--reconnect-max-ms', '1000', '--log-level', 'info'],
      ]
      const child = spawnLogged('agent', process.execPath, node('services/edge-agent/src/cli.ts', args))
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      // Starting from source (tsx) can take a while on a loaded machine: wait up to ~30 s.
      for (let attempt = 1; ; attempt++) {
        try {
          await gateway.waitForHello(from)
          break
        } catch (err) {
          if (attempt >= 4 || child.exitCode !== null)
            throw new Error(`agent did not connect, see ${dir}: ${err}`)
        }
      }
      return {
        child,
        /** SIGKILL: the agent dies at once, without any clean-up of its own. */
        async kill() {
          child.kill('SIGKILL')
          await exited
        },
      }
    },
  }
}
