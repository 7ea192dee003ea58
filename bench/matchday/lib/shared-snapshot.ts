/**
 * A simulator shortcut, not agent behaviour: the simulated agents of one process receive the same
 * frame bytes from the gateway (it serialises each snapshot and delta once), so the first to read
 * a snapshot, or a large delta (a 100k list's `put`), parses and validates it and the others get
 * that same immutable message instead of each holding its own 100k prefixes — memory the bench
 * machine would need N times over, where a real agent has a machine of its own. A snapshot's
 * verdict is shared too (300k entries' canonical JSON and Ed25519 per agent on the bench's few
 * cores); a delta's signature is still verified by every agent, on that shared message. Each
 * agent applies every revision to its own state, persists and acknowledges it.
 */
import { parseGatewayMessage, type TrustedKeys, type VerifyResult, verifySigned } from '@offside/protocol'

type Parsed = ReturnType<typeof parseGatewayMessage>

/** How a snapshot frame starts as the gateway serialises it (feed.ts: `{ v, type, ... }`). */
const SNAPSHOT_START = /^\{"v":\d+,"type":"snapshot"/
/** Frames from this size on are parsed once per process whatever their type. */
const LARGE_FRAME = 64 * 1024

export function sharedSnapshotReaders() {
  // The last few distinct shared frames (by their bytes), and the verdicts of snapshot messages.
  const parsed = new Map<string, Parsed>()
  const verdicts = new WeakMap<object, VerifyResult>()
  let reads = 0
  let shared = 0
  return {
    parse(text: string): Parsed {
      if (text.length < LARGE_FRAME && !SNAPSHOT_START.test(text.slice(0, 40)))
        return parseGatewayMessage(text)
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
