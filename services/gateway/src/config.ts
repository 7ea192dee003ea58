import { hostname } from 'node:os'
import {
  integer,
  port,
  readEnv,
  type SharedSettings,
  sharedEnv,
  sharedSettings,
  type TlsFiles,
  Type,
  tlsEnv,
  tlsSettings,
} from '@offside/service'

/** Everything the gateway reads from its environment, validated once at start-up. */
export interface GatewayConfig extends SharedSettings {
  port: number
  /** Ed25519 private key (PEM) that signs every snapshot and delta. */
  signingKeyFile: string
  /** Heartbeat period both ways; an agent silent for three periods is disconnected. */
  heartbeatMs: number
  /** A socket whose unsent data grows past this is a slow agent and is disconnected. */
  maxBufferedBytes: number
  /** Names this process in Redis (which gateway holds which agent). */
  gatewayId: string
  /** Simultaneous agent connections one ISP may hold across every gateway; more are refused (429). */
  maxAgentsPerIsp: number
  /**
   * Serve wss:// with this certificate chain and key (PEM files); with `clientCaFile`, agents must
   * also present a client certificate signed by that CA (mutual TLS). Plain ws:// when null.
   */
  tls: TlsFiles | null
}

/** The gateway's variables (docs/operations.md "Configuration"). */
const gatewayEnv = {
  ...sharedEnv,
  OFFSIDE_GATEWAY_PORT: port(8081),
  /** Ed25519 private key, PEM. */
  OFFSIDE_SIGNING_KEY_FILE: Type.String(),
  OFFSIDE_GATEWAY_HEARTBEAT_MS: integer(10_000, 100, 600_000),
  OFFSIDE_GATEWAY_MAX_BUFFERED_BYTES: integer(64 * 1024 * 1024, 1024, 2 ** 31),
  OFFSIDE_GATEWAY_ID: Type.Optional(Type.String()),
  OFFSIDE_GATEWAY_MAX_AGENTS_PER_ISP: integer(64, 1, 100_000),
  ...tlsEnv,
  OFFSIDE_TLS_CLIENT_CA_FILE: Type.Optional(Type.String()),
}

/** Reads and checks the gateway's settings; throws a ConfigError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const e = readEnv(gatewayEnv, env)
  return {
    ...sharedSettings(e),
    port: e.OFFSIDE_GATEWAY_PORT,
    signingKeyFile: e.OFFSIDE_SIGNING_KEY_FILE,
    heartbeatMs: e.OFFSIDE_GATEWAY_HEARTBEAT_MS,
    maxBufferedBytes: e.OFFSIDE_GATEWAY_MAX_BUFFERED_BYTES,
    gatewayId: e.OFFSIDE_GATEWAY_ID ?? `${hostname()}:${process.pid}`,
    maxAgentsPerIsp: e.OFFSIDE_GATEWAY_MAX_AGENTS_PER_ISP,
    tls: tlsSettings(e),
  }
}
