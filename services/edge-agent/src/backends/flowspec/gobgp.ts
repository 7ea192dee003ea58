import { execFile } from 'node:child_process'

/** How to reach the local gobgpd: its gRPC API address, and a network namespace if any. */
export interface GobgpTarget {
  /** The `gobgp` CLI; default `gobgp` on the PATH. */
  command: string
  host: string
  port: number
  netns?: string | undefined
}

/** `flowspec`: RFC 8955/8956 `destination <prefix> then discard`; `rtbh`: RFC 7999 BLACKHOLE unicast routes. */
export type FlowspecMode = 'flowspec' | 'rtbh'

/** RFC 7999 BLACKHOLE (65535:666) and NO_EXPORT (65535:65281) as gobgp prints them in JSON. */
const BLACKHOLE = 4294902426
const DISCARD_SUBTYPE = 6 // traffic-rate extended community, rate 0 = discard (RFC 8955 §7.3)

/** Runs the `gobgp` CLI against the target gobgpd and resolves its stdout. */
export function gobgp(target: GobgpTarget, args: string[]): Promise<string> {
  const argv = ['-u', target.host, '-p', String(target.port), ...args]
  const [file, fullArgs] = target.netns
    ? ['ip', ['netns', 'exec', target.netns, target.command, ...argv]]
    : [target.command, argv]
  return new Promise((resolve, reject) => {
    execFile(file, fullArgs, { maxBuffer: 64 * 1024 * 1024, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`gobgp ${args.join(' ')} failed: ${stderr.trim() || err.message}`))
      else resolve(stdout)
    })
  })
}

function family(prefix: string, mode: FlowspecMode): string {
  const v6 = prefix.includes(':')
  if (mode === 'flowspec') return v6 ? 'ipv6-flowspec' : 'ipv4-flowspec'
  return v6 ? 'ipv6' : 'ipv4'
}

/** Next hops for RTBH routes: conventionally a discard address the routers null-route. */
export interface RtbhNextHops {
  v4: string
  v6: string
}

/** Arguments that announce a discard route for `prefix`. */
export function announceArgs(prefix: string, mode: FlowspecMode, nextHops: RtbhNextHops): string[] {
  const a = ['global', 'rib', '-a', family(prefix, mode), 'add']
  if (mode === 'flowspec') return [...a, 'match', 'destination', prefix, 'then', 'discard']
  const nextHop = prefix.includes(':') ? nextHops.v6 : nextHops.v4
  return [...a, prefix, 'nexthop', nextHop, 'community', '65535:666,no-export']
}

/** Arguments that withdraw it (gobgp treats withdrawing an absent route as success). */
export function withdrawArgs(prefix: string, mode: FlowspecMode): string[] {
  const a = ['global', 'rib', '-a', family(prefix, mode), 'del']
  return mode === 'flowspec' ? [...a, 'match', 'destination', prefix] : [...a, prefix]
}

interface JsonPath {
  nlri: { prefix?: string; value?: Array<{ type: number; value?: { prefix?: string } }> }
  attrs?: Array<{ type: number; communities?: number[]; value?: unknown }>
}

/** Our routes: flow routes whose only component is a destination and whose action is discard. */
function isOurFlowRoute(path: JsonPath): string | undefined {
  const components = path.nlri.value ?? []
  if (components.length !== 1 || components[0]?.type !== 1) return undefined
  const discard = path.attrs?.some(
    (attr) =>
      attr.type === 16 &&
      Array.isArray(attr.value) &&
      attr.value.some(
        (c: { subtype?: number; rate?: number }) => c.subtype === DISCARD_SUBTYPE && c.rate === 0,
      ),
  )
  return discard ? components[0].value?.prefix : undefined
}

function isOurBlackhole(path: JsonPath): string | undefined {
  const tagged = path.attrs?.some((attr) => attr.type === 8 && attr.communities?.includes(BLACKHOLE))
  return tagged ? path.nlri.prefix : undefined
}

/**
 * The discard routes gobgpd's global RIB holds now (both families), as written by gobgp. Routes of
 * another shape (an operator's own) are not ours and are left alone.
 */
export async function listAnnounced(target: GobgpTarget, mode: FlowspecMode): Promise<string[]> {
  const families = mode === 'flowspec' ? ['ipv4-flowspec', 'ipv6-flowspec'] : ['ipv4', 'ipv6']
  const found: string[] = []
  for (const name of families) {
    const output = await gobgp(target, ['global', 'rib', '-a', name, '-j'])
    const rib = JSON.parse(output.trim() || '{}') as Record<string, JsonPath[]>
    for (const paths of Object.values(rib)) {
      for (const path of paths) {
        const prefix = mode === 'flowspec' ? isOurFlowRoute(path) : isOurBlackhole(path)
        if (prefix) found.push(prefix)
      }
    }
  }
  return found
}
