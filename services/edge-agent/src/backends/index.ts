import type { Logger } from 'pino'
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
  }
}
