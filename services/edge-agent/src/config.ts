import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { BackendName } from './backends/types.js'

/** The agent's settings, validated once at start-up. */
export interface AgentConfig {
  gatewayUrls: string[]
  token: string
  agentId: string
  backend: BackendName
  publicKeyFiles: string[]
  stateDir: string
  metricsHost: string
  metricsPort: number
  logLevel: string
  heartbeatMs: number
  reconnectMaxMs: number
  /** Largest clock offset from the gateway before the agent alarms (--max-clock-offset-ms). */
  maxClockOffsetMs: number
  /**
   * A test hook: shifts the agent's clock by this many ms (OFFSIDE_AGENT_CLOCK_OFFSET_MS only, no
   * flag), so a test can show what a skewed agent does; 0 in production.
   */
  clockOffsetMs: number
  /** Backend-specific settings from the config file (`"nftables": {…}`, `"flowspec": {…}`). */
  backendOptions: Record<string, unknown>
  /** The config file's `"safetyNet"` section, checked by safety-net.ts. */
  safetyNet: unknown
  /** The config file's `"landingPage"` section (the HTTP 451 page), checked by landing-page.ts. */
  landingPage?: unknown
  /** The DNS backend run beside the address backend (`--dns-backend rpz`), if any. */
  dnsBackend?: 'rpz'
  /** Its settings from the config file (`"rpz": {…}`). */
  dnsBackendOptions?: Record<string, unknown>
  /** PEM files for wss://: a private CA to trust; a client certificate and key (mutual TLS). */
  tlsFiles: { ca?: string; cert?: string; key?: string }
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

const BACKENDS: readonly BackendName[] = ['nftables', 'flowspec', 'dry-run', 'rpz']

/**
 * Every key the JSON config file may hold: the settings below (camelCase) and one section per
 * backend. Anything else is refused by name, so a typo ("backnd") never silently falls back.
 */
const FILE_KEYS = new Set([
  'gateway',
  'gateways',
  'token',
  'tokenFile',
  'agentId',
  'backend',
  'dnsBackend',
  'publicKeys',
  'stateDir',
  'metricsHost',
  'metricsPort',
  'heartbeatMs',
  'reconnectMaxMs',
  'maxClockOffsetMs',
  'logLevel',
  'insecure',
  'caFile',
  'clientCert',
  'clientKey',
  'safetyNet',
  'landingPage',
  ...BACKENDS,
])

export const USAGE = `offside-agent — Offside edge agent

  --gateway URL        gateway URL (wss://host:8081); repeat for several    OFFSIDE_AGENT_GATEWAY (comma list)
  --insecure           allow ws:// to a gateway that is not on loopback       OFFSIDE_AGENT_INSECURE=1
  --ca-file FILE       CA (PEM) the gateway's certificate is checked against  OFFSIDE_AGENT_CA_FILE
  --client-cert FILE   client certificate (PEM) for mutual TLS                OFFSIDE_AGENT_CLIENT_CERT
  --client-key FILE    its key (PEM)                                          OFFSIDE_AGENT_CLIENT_KEY
  --token TOKEN        ISP bearer token (shown by ps: prefer --token-file)    OFFSIDE_AGENT_TOKEN
  --token-file FILE    read the token from a file                             OFFSIDE_AGENT_TOKEN_FILE
  --agent-id ID        this agent's id, unique within the ISP                 OFFSIDE_AGENT_ID
  --backend NAME       required: nftables | flowspec | dry-run | rpz          OFFSIDE_AGENT_BACKEND
                       (dry-run programs nothing and never counts as enforcing)
  --dns-backend rpz    also enforce names at the resolver (docs/agent.md)     OFFSIDE_AGENT_DNS_BACKEND
  --public-key FILE    pinned Ed25519 public key (PEM); repeat while rotating OFFSIDE_AGENT_PUBLIC_KEYS (comma list)
  --state-dir DIR      persisted state (default /var/lib/offside-agent)       OFFSIDE_AGENT_STATE_DIR
  --metrics-port N     local /healthz /metrics /status port (default 9464)    OFFSIDE_AGENT_METRICS_PORT
  --metrics-host HOST  address for that server (default 127.0.0.1)            OFFSIDE_AGENT_METRICS_HOST
  --heartbeat-ms N     heartbeat period (default 10000; match the gateway)    OFFSIDE_AGENT_HEARTBEAT_MS
  --max-clock-offset-ms N  alarm when the clock is off the gateway's by more (default 2000)  OFFSIDE_AGENT_MAX_CLOCK_OFFSET_MS
  --reconnect-max-ms N longest back-off between reconnects (default 30000)  OFFSIDE_AGENT_RECONNECT_MAX_MS
  --log-level LEVEL    pino level (default info)                              OFFSIDE_AGENT_LOG_LEVEL
  --config FILE        JSON file with any of these (camelCase) and backend settings
  --version            print the agent's version
  --help
Flags win over the environment, which wins over the config file; unknown keys are refused.

Backend settings (config file only):
  "nftables": {
    "table"    "offside"               the agent's own table, inet <table>
    "hooks"    ["forward","output"]    forward: routed traffic; output: this machine's own
    "verdict"  "drop"                  drop | reject
    "netns"    (none)                  run nft inside this network namespace
  }
  "flowspec": {
    "mode"        "flowspec"           flowspec (RFC 8955/8956) | rtbh (RFC 7999)
    "host","port" "127.0.0.1", 50051   gobgpd's API (--api-hosts)
    "command"     "gobgp"              the gobgp CLI used to talk to gobgpd
    "netns"       (none)               run gobgp inside this network namespace
    "maxRules"    3000                 most routes announced at once; the rest reported as notFitting
    "aggregate"   off                  {"v4":24,"v6":48}: widen hosts to fit maxRules
    "nextHops"    {"v4":"192.0.2.1","v6":"100::1"}   RTBH next hops
    "concurrency" 8                    gobgp calls in flight
  }

The ISP's safety net (config file only; always on, these are the defaults):
  "safetyNet": {
    "neverBlock"    []                 addresses/prefixes never blocked (own ranges, resolvers,
                                       management); the gateways' addresses are always added
    "broadest"      {"v4":16,"v6":32}  broader prefixes are refused
    "maxGroupHours" 24                 a longer group (until - from) is refused whole
    "capacity"      (the backend's)    most prefixes held at one instant (FlowSpec: maxRules)
  }
  What it refuses is left out, the rest applied; refusals go in the ack and in /status.

The DNS backend (--dns-backend rpz, or --backend rpz alone), "rpz": {…} (docs/agent.md):
    "zone"        "rpz.offside"        the Response Policy Zone the resolver transfers
    "listen"      "127.0.0.1:5353"     where the agent serves it (SOA/AXFR/IXFR)
    "notify"      ["127.0.0.1:53"]     resolvers sent NOTIFY on every change
    "allowTransfer" ["127.0.0.1","::1"] who may read the zone
    "answer" "nxdomain" | "landing" ["192.0.2.80"] | "landingName" "blocked.isp.example"
    "ttl" 30, "timers" {"refresh":10,"retry":5,"expire":60,"minimum":30}
  The HTTP 451 page for the landing address, "landingPage": {"authority", "reference",
  "complainUrl", "blockedBy", "lookupUrl"?, "listen" "127.0.0.1:8451"}; it logs nothing.

Exit status: 0 stopped by SIGTERM/SIGINT (or --help, --version); 2 the configuration is wrong
(flag, variable, config file, backend setting, unreadable token or key file); 1 it could not start
or stopped on an error (backend, status port).`

/** Reads flags, `OFFSIDE_AGENT_*` variables and an optional JSON config file, in that precedence. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): AgentConfig | 'help' | 'version' {
  const { values } = parseArgs({
    args: argv,
    options: {
      gateway: { type: 'string', multiple: true },
      token: { type: 'string' },
      'token-file': { type: 'string' },
      'agent-id': { type: 'string' },
      backend: { type: 'string' },
      'dns-backend': { type: 'string' },
      'public-key': { type: 'string', multiple: true },
      'state-dir': { type: 'string' },
      'metrics-port': { type: 'string' },
      'metrics-host': { type: 'string' },
      'log-level': { type: 'string' },
      'heartbeat-ms': { type: 'string' },
      'reconnect-max-ms': { type: 'string' },
      'max-clock-offset-ms': { type: 'string' },
      insecure: { type: 'boolean' },
      'ca-file': { type: 'string' },
      'client-cert': { type: 'string' },
      'client-key': { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean' },
      version: { type: 'boolean' },
    },
    strict: true,
  })
  if (values.help) return 'help'
  if (values.version) return 'version'
  const configFile = values.config ?? env.OFFSIDE_AGENT_CONFIG
  const file = configFile ? readConfigFile(configFile) : {}
  const fromFile = (key: string) =>
    typeof file[key] === 'string' || typeof file[key] === 'number' ? String(file[key]) : undefined
  const pick = (flag: string | undefined, envName: string, fileKey: string) =>
    flag ?? env[envName] ?? fromFile(fileKey)

  const tokenFile = pick(values['token-file'], 'OFFSIDE_AGENT_TOKEN_FILE', 'tokenFile')
  const token =
    pick(values.token, 'OFFSIDE_AGENT_TOKEN', 'token') ?? (tokenFile ? readToken(tokenFile) : undefined)
  const publicKeyFiles =
    values['public-key'] ??
    env.OFFSIDE_AGENT_PUBLIC_KEYS?.split(',').filter(Boolean) ??
    (Array.isArray(file.publicKeys) ? file.publicKeys.map(String) : [])
  const gatewayUrls =
    values.gateway ??
    env.OFFSIDE_AGENT_GATEWAY?.split(',').filter(Boolean) ??
    (Array.isArray(file.gateways)
      ? file.gateways.map(String)
      : typeof file.gateway === 'string'
        ? [file.gateway]
        : [])
  const agentId = pick(values['agent-id'], 'OFFSIDE_AGENT_ID', 'agentId')
  const backend = pick(values.backend, 'OFFSIDE_AGENT_BACKEND', 'backend')

  if (gatewayUrls.length === 0 || !gatewayUrls.every((url) => /^wss?:\/\/[^/]/.test(url))) {
    throw new ConfigError('--gateway must be a ws:// or wss:// URL')
  }
  // The token and every push would cross the network in clear: only loopback, or when told.
  const insecure = values.insecure === true || env.OFFSIDE_AGENT_INSECURE === '1' || file.insecure === true
  const clear = gatewayUrls.find((url) => url.startsWith('ws://') && !isLoopback(new URL(url).hostname))
  if (clear && !insecure) {
    throw new ConfigError(
      `--gateway ${clear}: ws:// sends the token in clear; use wss://, or --insecure to accept it`,
    )
  }
  if (!token) throw new ConfigError('--token (or --token-file) is required')
  if (!agentId || !/^[A-Za-z0-9._-]{1,64}$/.test(agentId)) {
    throw new ConfigError('--agent-id is required: 1-64 letters, digits, dot, dash or underscore')
  }
  if (backend === undefined)
    throw new ConfigError(
      `--backend is required: one of ${BACKENDS.join(', ')} (dry-run programs nothing; name it to use it)`,
    )
  if (!BACKENDS.includes(backend as BackendName))
    throw new ConfigError(`--backend must be one of ${BACKENDS.join(', ')}, not "${backend}"`)
  if (publicKeyFiles.length === 0) throw new ConfigError('at least one --public-key is required')
  const integer = (name: string, text: string | undefined, fallback: number) => {
    if (text === undefined) return fallback
    const value = Number(text)
    if (!Number.isSafeInteger(value) || value < 0)
      throw new ConfigError(`${name} must be a non-negative integer`)
    return value
  }
  const signedInteger = (name: string, text: string | undefined) => {
    if (text === undefined || text === '') return 0
    const value = Number(text)
    if (!Number.isSafeInteger(value)) throw new ConfigError(`${name} must be an integer`)
    return value
  }
  const section = file[backend]
  if (section !== undefined && (typeof section !== 'object' || section === null || Array.isArray(section)))
    throw new ConfigError(`config file: "${backend}" must be an object of ${backend} settings`)
  const backendOptions = (section ?? {}) as Record<string, unknown>
  const dnsBackend = pick(values['dns-backend'], 'OFFSIDE_AGENT_DNS_BACKEND', 'dnsBackend')
  if (dnsBackend !== undefined && dnsBackend !== 'rpz') throw new ConfigError('--dns-backend must be rpz')
  if (dnsBackend && backend === 'rpz') throw new ConfigError('--dns-backend rpz needs an address --backend')
  const dnsSection = dnsBackend ? file[dnsBackend] : undefined
  if (
    dnsSection !== undefined &&
    (typeof dnsSection !== 'object' || dnsSection === null || Array.isArray(dnsSection))
  )
    throw new ConfigError('config file: "rpz" must be an object of rpz settings')
  return {
    gatewayUrls,
    token,
    agentId,
    backend: backend as BackendName,
    publicKeyFiles,
    stateDir: pick(values['state-dir'], 'OFFSIDE_AGENT_STATE_DIR', 'stateDir') ?? '/var/lib/offside-agent',
    metricsHost: pick(values['metrics-host'], 'OFFSIDE_AGENT_METRICS_HOST', 'metricsHost') ?? '127.0.0.1',
    metricsPort: integer(
      '--metrics-port',
      pick(values['metrics-port'], 'OFFSIDE_AGENT_METRICS_PORT', 'metricsPort'),
      9464,
    ),
    logLevel: pick(values['log-level'], 'OFFSIDE_AGENT_LOG_LEVEL', 'logLevel') ?? 'info',
    heartbeatMs: integer(
      '--heartbeat-ms',
      pick(values['heartbeat-ms'], 'OFFSIDE_AGENT_HEARTBEAT_MS', 'heartbeatMs'),
      10_000,
    ),
    reconnectMaxMs: integer(
      '--reconnect-max-ms',
      pick(values['reconnect-max-ms'], 'OFFSIDE_AGENT_RECONNECT_MAX_MS', 'reconnectMaxMs'),
      30_000,
    ),
    maxClockOffsetMs: integer(
      '--max-clock-offset-ms',
      pick(values['max-clock-offset-ms'], 'OFFSIDE_AGENT_MAX_CLOCK_OFFSET_MS', 'maxClockOffsetMs'),
      2_000,
    ),
    clockOffsetMs: signedInteger('OFFSIDE_AGENT_CLOCK_OFFSET_MS', env.OFFSIDE_AGENT_CLOCK_OFFSET_MS),
    backendOptions,
    safetyNet: file.safetyNet,
    ...(file.landingPage === undefined ? {} : { landingPage: file.landingPage }),
    tlsFiles: tlsFiles(
      pick(values['ca-file'], 'OFFSIDE_AGENT_CA_FILE', 'caFile'),
      pick(values['client-cert'], 'OFFSIDE_AGENT_CLIENT_CERT', 'clientCert'),
      pick(values['client-key'], 'OFFSIDE_AGENT_CLIENT_KEY', 'clientKey'),
    ),
    ...(dnsBackend ? { dnsBackend, dnsBackendOptions: (dnsSection ?? {}) as Record<string, unknown> } : {}),
  }
}

function tlsFiles(ca?: string, cert?: string, key?: string): AgentConfig['tlsFiles'] {
  if ((cert === undefined) !== (key === undefined))
    throw new ConfigError('--client-cert and --client-key go together')
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) }
}

/** localhost, 127.0.0.0/8 and ::1: the only places a ws:// (clear text) gateway is accepted by default. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '')
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

function readConfigFile(path: string): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new ConfigError(`--config ${path}: ${(err as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ConfigError(`--config ${path}: must hold a JSON object`)
  const unknown = Object.keys(parsed).filter((key) => !FILE_KEYS.has(key))
  if (unknown.length > 0)
    throw new ConfigError(`--config ${path}: unknown setting ${unknown.map((k) => `"${k}"`).join(', ')}`)
  return parsed as Record<string, unknown>
}

function readToken(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim()
  } catch (err) {
    throw new ConfigError(`--token-file ${path}: ${(err as Error).message}`)
  }
}
