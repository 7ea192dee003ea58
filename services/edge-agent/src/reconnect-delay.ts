/**
 * Delay before reconnect attempt `attempt` (0-based): exponential with "full jitter" (a random
 * delay between 0 and min(cap, base·2^attempt)), so a thousand agents cut off by one gateway
 * restart do not all come back in the same millisecond. A few lines, so no dependency.
 */
export function reconnectDelay(attempt: number, baseMs = 250, capMs = 30_000, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20))
  return Math.round(ceiling * random())
}
