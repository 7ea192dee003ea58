import type { Logger } from 'pino'
import { CombinedBackend } from './combined.js'
import { DryRunBackend } from './dry-run.js'
import type { Backend, BackendName } from './types.js'

/**
 * Builds the backend named by `--backend` from the config file's settings for it. The real
 * backends are imported only when chosen, so a dry-run agent never loads nftables or GoBGP code.
 */
export async function createBackend(
  name: BackendName,
  settings: Record<string, unknown>,
  log: Logger,
): Promise<Backend> {
  const child = log.child({ backend: name })
  switch (name) {
    case 'dry-run':
      return new DryRunBackend({ log: child })
    case 'nftables': {
      const { nftablesBackendFromSettings } = await import('./nftables/index.js')
      return nftablesBackendFromSettings(settings, child)
    }
    case 'flowspec': {
      const { flowspecBackendFromSettings } = await import('./flowspec/index.js')
      return flowspecBackendFromSettings(settings, child)
    }
    case 'rpz': {
      const { rpzBackendFromSettings } = await import('./rpz/index.js')
      return rpzBackendFromSettings(settings, child)
    }
  }
}

/**
 * The agent's backend: the address backend alone, or beside it the DNS backend named by
 * `--dns-backend` (one agent and one connection enforce both prefixes and names).
 */
export async function createBackends(
  config: {
    backend: BackendName
    backendOptions: Record<string, unknown>
    dnsBackend?: 'rpz'
    dnsBackendOptions?: Record<string, unknown>
  },
  log: Logger,
): Promise<Backend> {
  const addresses = await createBackend(config.backend, config.backendOptions, log)
  if (!config.dnsBackend) return addresses
  const names = await createBackend(config.dnsBackend, config.dnsBackendOptions ?? {}, log)
  return new CombinedBackend(addresses, names)
}
