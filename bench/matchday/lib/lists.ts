/**
 * The match-day bench's data: list k of 100 000 hosts, seeded so runs compare — 0: 65 536 IPv4,
 * one per /31 of 198.18.0.0/15 (none merge), then IPv6; 1: IPv6 scattered over 2001:db8::/32;
 * 2: IPv6 clustered in 2001:db8:aaaa::/48; 3 (the list uploaded during the run): IPv6 scattered
 * in 2001:db8:bbbb::/48. Only stored and sent to simulated agents, never contacted.
 */
import { seededRandom } from '../../core/lib/harness.js'

export function list(k: number): string[] {
  const random = seededRandom(100 + k)
  return Array.from({ length: 100_000 }, (_, i) => {
    if (k === 0 && i < 65_536)
      return `198.${18 + (i >>> 15)}.${(i >>> 7) & 255}.${((i & 127) << 1) | (random() & 1)}`
    if (k === 0) return `2001:db8:cccc:${(i - 65_536).toString(16)}::1`
    if (k === 1)
      return `2001:db8:${(random() & 0xffff).toString(16)}:${(i & 0xffff).toString(16)}:${(i >>> 16).toString(16)}::${((random() & 0xfff) + 1).toString(16)}`
    if (k === 2) return `2001:db8:aaaa::${((i + 1) >>> 16).toString(16)}:${((i + 1) & 0xffff).toString(16)}`
    return `2001:db8:bbbb:${(i & 0xffff).toString(16)}:${(i >>> 16).toString(16)}::${((random() & 0xfff) + 1).toString(16)}`
  })
}
