import { ConfigError } from '../../config.js'
import { createNftablesBackend, type NftablesLog, type NftablesOptions } from './backend.js'
import type { Hook, Verdict } from './script.js'

export { createNftablesBackend, NftablesBackend, type NftablesLog, type NftablesOptions } from './backend.js'
export { type SetKey, setKeyOf } from './elements.js'
export { listSets, NftError } from './nft.js'
export { type Hook, setBase, setName, type Verdict } from './script.js'

/**
 * Builds the backend from the config file's `"nftables": {…}` object (`table`, `netns`, `hooks`,
 * `verdict`); throws on a setting it does not understand, so a typo never goes unnoticed.
 */
export function nftablesBackendFromSettings(settings: Record<string, unknown>, log?: NftablesLog) {
  const options: NftablesOptions = { log }
  for (const [key, value] of Object.entries(settings)) {
    if (key === 'table' && typeof value === 'string') options.table = value
    else if (key === 'netns' && typeof value === 'string') options.netns = value
    else if (key === 'verdict' && (value === 'drop' || value === 'reject')) options.verdict = value as Verdict
    else if (
      key === 'hooks' &&
      Array.isArray(value) &&
      value.length > 0 &&
      value.every((hook) => hook === 'forward' || hook === 'output')
    )
      options.hooks = value as Hook[]
    else throw new ConfigError(`nftables setting ${key} is not valid: ${JSON.stringify(value)}`)
  }
  return createNftablesBackend(options)
}
