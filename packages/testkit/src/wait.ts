export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Polls `read` every 50 ms until `done` holds or `timeoutMs` passes; returns the last value read
 * (a read that throws counts as not yet), so the caller's assertion shows what it saw.
 */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read().catch(() => undefined as T)
    if (value !== undefined && done(value)) return value
    if (Date.now() > deadline) return value
    await sleep(50)
  }
}
