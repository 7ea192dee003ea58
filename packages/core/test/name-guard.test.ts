import { createRequire } from 'node:module'
import t from 'tap'
import { publicSuffixList } from '../src/data/public-suffix-list.js'
import { createGuard, defaultGuardConfig, type GuardContext } from '../src/guard.js'
import { parseTarget, type Target } from '../src/target.js'

function name(text: string): Target {
  const result = parseTarget(text, { allowNames: true })
  if (!result.ok) throw new Error(`test name ${text} does not parse: ${result.message}`)
  return result.target
}

const guard = createGuard(defaultGuardConfig)
const withOrder: GuardContext = { hasCurrentOrder: true }
const allowingWildcards: GuardContext = { hasCurrentOrder: true, allowWildcards: true }

t.test('the Google Drive name is held, naming google.com and why it is protected', async (t) => {
  const verdict = guard.check(name('drive.usercontent.google.com'), withOrder)
  t.equal(verdict.verdict, 'held', 'held for review, never accepted')
  t.match(
    verdict.reasons,
    [{ code: 'protected-suffix', suffix: 'google.com', name: 'Google', source: /Google Drive/ }],
    'the reason names the suffix, its owner and its source',
  )
  t.match(verdict.reasons[0]?.message, /drive\.usercontent\.google\.com is under google\.com/, 'in words too')
  const content = guard.check(name('doc-0s-8c-docs.googleusercontent.com'), withOrder)
  t.match(
    content.reasons,
    [{ code: 'protected-suffix', suffix: 'googleusercontent.com' }],
    'Drive downloads too',
  )
})

t.test('every default protected suffix protects every name under it and itself', async (t) => {
  const suffixes = defaultGuardConfig.protectedSuffixes.map((entry) => entry.suffix)
  for (const wanted of [
    'google.com',
    'googleusercontent.com',
    'youtube.com',
    'googlevideo.com',
    'cloudflare.com',
    'workers.dev',
    'pages.dev',
    'amazonaws.com',
    'cloudfront.net',
    'akamaihd.net',
    'azureedge.net',
    'fastly.net',
    'github.io',
  ]) {
    t.ok(suffixes.includes(wanted), `${wanted} is in the default table`)
    const verdict = guard.check(name(`stream.${wanted}`), withOrder)
    t.equal(verdict.verdict, 'held', `stream.${wanted} is held`)
    t.ok(
      verdict.reasons.some((r) => r.code === 'protected-suffix' && r.suffix === wanted && r.source),
      `naming ${wanted} and a source`,
    )
  }
  t.ok(
    defaultGuardConfig.protectedSuffixes.every((entry) => entry.source.length > 0),
    'every row of the table says where it comes from',
  )
})

t.test('a public suffix, or anything above one, is rejected', async (t) => {
  for (const [text, suffix] of [
    ['co.uk', 'co.uk'],
    ['github.io', 'github.io'],
    ['uk', 'uk'],
    ['com', 'com'],
    ['example', 'example'], // an unknown top-level label is its own suffix
    ['workers.dev', 'workers.dev'],
    ['kawasaki.jp', 'kawasaki.jp'],
    ['city-hall.kawasaki.jp', 'city-hall.kawasaki.jp'], // under the wildcard rule *.kawasaki.jp
  ] as const) {
    const verdict = guard.check(name(text), withOrder)
    t.equal(verdict.verdict, 'rejected', `${text} is rejected`)
    t.match(verdict.reasons[0], { code: 'public-suffix', suffix }, `as the public suffix ${suffix}`)
    t.match(verdict.reasons[0]?.source, publicSuffixList.version, 'naming the version of the list')
  }
  t.equal(guard.check(name('stream.example'), withOrder).verdict, 'accepted', 'a name under one is fine')
  t.equal(guard.check(name('bbc.co.uk'), withOrder).verdict, 'accepted', 'a registered domain is fine')
})

t.test('the recorded Public Suffix List version is the installed one', async (t) => {
  const require = createRequire(import.meta.url)
  const installed = (require('tldts/package.json') as { version: string }).version
  t.equal(publicSuffixList.version, `tldts ${installed}`, 'update data/public-suffix-list.ts with tldts')
})

t.test('wildcards stand only where the order allows them, never at a public suffix', async (t) => {
  const refused = guard.check(name('*.pirate-streams.example'), withOrder)
  t.match(refused, { verdict: 'rejected', reasons: [{ code: 'wildcard-not-allowed' }] }, 'no order allows it')
  t.equal(
    guard.check(name('*.pirate-streams.example'), allowingWildcards).verdict,
    'accepted',
    'accepted when an order allows wildcards',
  )
  for (const text of ['*.co.uk', '*.github.io', '*.example', '*.com']) {
    const verdict = guard.check(name(text), allowingWildcards)
    t.equal(verdict.verdict, 'rejected', `${text} is rejected even when wildcards are allowed`)
    t.ok(
      verdict.reasons.some((r) => r.code === 'public-suffix'),
      `${text}: at a public suffix`,
    )
  }
  const google = guard.check(name('*.usercontent.google.com'), allowingWildcards)
  t.match(google, { verdict: 'held', reasons: [{ code: 'protected-suffix', suffix: 'google.com' }] }, 'held')
  const above = createGuard({
    ...defaultGuardConfig,
    protectedSuffixes: [{ suffix: 'cdn.shared.example', name: 'Shared CDN', source: 'test' }],
  }).check(name('*.shared.example'), allowingWildcards)
  t.match(
    above,
    { verdict: 'held', reasons: [{ code: 'protected-suffix', suffix: 'cdn.shared.example' }] },
    'a wildcard above a protected suffix would block it, so it is held too',
  )
})

t.test('a name from a rightsholder with no current order is held', async (t) => {
  const verdict = guard.check(name('stream.example'), { hasCurrentOrder: false })
  t.match(verdict, { verdict: 'held', reasons: [{ code: 'no-current-order' }] }, 'held as addresses are')
})

t.test('a name that only ends in the same letters as a protected suffix is not held', async (t) => {
  t.equal(guard.check(name('notgoogle.com'), withOrder).verdict, 'accepted', 'label boundaries decide')
})
