/**
 * A simulator shortcut, not agent behaviour: the simulated agents of one process receive the same
 * snapshot bytes from the gateway, so the first to read a snapshot parses, validates and verifies
 * it, and the others get that same immutable message (and verdict) instead of repeating 300k
 * entries' worth of parsing, canonical JSON and Ed25519 on the bench machine's few cores. Each
 * agent still applies the snapshot to its own state, persists and acknowledges it; deltas are
 * parsed and verified by every agent on its own. A real agent has a machine of its own.
 */
import { parseGatewayMessage, type TrustedKeys, type VerifyResult, verifySigned } from '@offside/protocol'

type Parsed = ReturnType<typeof parseGatewayMessage>

/** How a snapshot frame starts as the gateway serialises it (feed.ts: `{ v, type, ... }`). */
const SNAPSHOT_START = /^\{"v":\d+,"type":"snapshot"/

export function sharedSnapshotReaders() {
  // The last few distinct snapshot frames (by their bytes) and the verdicts of their messages.
  const parsed = new Map<string, Parsed>()
  const verdicts = new WeakMap<object, VerifyResult>()
  let reads = 0
  let shared = 0
  return {
    parse(text: string): Parsed {
      if (!SNAPSHOT_START.test(text.slice(0, 40))) return parseGatewayMessage(text)
      reads++
      const held = parsed.get(text)
      if (held) {
        shared++
        return held
      }
      const result = parseGatewayMessage(text)
      parsed.set(text, result)
      if (parsed.size > 2) parsed.delete(parsed.keys().next().value as string)
      return result
    },
    verify(message: Parameters<typeof verifySigned>[0], keys: TrustedKeys): VerifyResult {
      const held = verdicts.get(message)
      if (held) return held
      const verdict = verifySigned(message, keys)
      if (message.payload.kind === 'snapshot') verdicts.set(message, verdict)
      return verdict
    },
    counts: () => ({ snapshotReads: reads, sharedReads: shared }),
  }
}
