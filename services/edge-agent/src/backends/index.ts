import type { Logger } from 'pino'
import { DryRunBackend } from './dry-run.js'
import type { Backend, BackendName } from './types.js'

/**
 * Builds the backend named by `--backend`. The real backends are imported only when chosen, so a
 * dry-run agent never loads nftables or GoBGP code.
 */
export async function createBackend(
  name: BackendName,
  options: Record<string, unknown>,
  log: Logger,
): Promise<Backend> {
  switch (name) {
    case 'dry-run':
      return new DryRunBackend({ log: log.child({ backend: 'dry-run' }) })
    default:
      throw new Error(`backend ${name} is not available in this build`)
  }
}
