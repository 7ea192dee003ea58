import { type Browser, chromium } from 'playwright-core'

/**
 * Debian's Chromium (`/usr/bin/chromium`), headless, driven by playwright-core; closed at
 * teardown. The flags keep it from reaching anything beyond loopback (no updates, sync or QUIC).
 */
export async function launchBrowser(t: { teardown(fn: () => unknown): void }): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  t.teardown(() => browser.close())
  return browser
}
