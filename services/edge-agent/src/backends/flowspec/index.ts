import { ConfigError } from '../../config.js'
import { createFlowspecBackend, type FlowspecLog, type FlowspecOptions } from './backend.js'

export { createFlowspecBackend, FlowspecBackend, type FlowspecLog, type FlowspecOptions } from './backend.js'
export { listAnnounced } from './gobgp.js'
export { capPlan, type RuleCap } from './rule-cap.js'

const isLength = (value: unknown, max: number) =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= max

/**
 * Builds the backend from the config file's `"flowspec": {…}` object (`mode`, `host`, `port`,
 * `command`, `netns`, `maxRules`, `aggregate: {v4, v6}`, `nextHops: {v4, v6}`, `concurrency`);
 * throws on a setting it does not understand.
 */
export function flowspecBackendFromSettings(settings: Record<string, unknown>, log?: FlowspecLog) {
  const options: FlowspecOptions = { log }
  for (const [key, value] of Object.entries(settings)) {
    const record = value as Record<string, unknown>
    if (key === 'mode' && (value === 'flowspec' || value === 'rtbh')) options.mode = value
    else if ((key === 'host' || key === 'command' || key === 'netns') && typeof value === 'string')
      options[key] = value
    else if (
      (key === 'port' || key === 'maxRules' || key === 'concurrency') &&
      isLength(value, 65535) &&
      value !== 0
    )
      options[key] = value as number
    else if (key === 'aggregate' && value && isLength(record.v4, 32) && isLength(record.v6, 128))
      options.aggregate = { v4: record.v4 as number, v6: record.v6 as number }
    else if (key === 'nextHops' && value && typeof record.v4 === 'string' && typeof record.v6 === 'string')
      options.nextHops = { v4: record.v4, v6: record.v6 }
    else throw new ConfigError(`flowspec setting ${key} is not valid: ${JSON.stringify(value)}`)
  }
  return createFlowspecBackend(options)
}
