import fc from 'fast-check'
import t, { type Test } from 'tap'
import { isAtOrUnder, nameCovers, namesNoLongerListed, namesOverlap } from '../src/names.js'
import { parseTarget, type TargetReason } from '../src/target.js'
import { holds } from './fixtures/prefix-arbitraries.js'

function name(t: Test, text: string, expected: string, wildcard = false) {
  const result = parseTarget(text, { allowNames: true })
  t.same(
    result.ok ? result.target : result,
    { kind: 'name', name: expected, wildcard },
    `${JSON.stringify(text)} is read as ${expected}`,
  )
}

function refused(t: Test, text: string, reason: TargetReason) {
  const result = parseTarget(text, { allowNames: true })
  t.equal(result.ok ? 'accepted' : result.reason, reason, `${JSON.stringify(text)} is refused as ${reason}`)
  if (!result.ok) t.ok(result.message.length > 0, 'with a message for a person')
}

t.test('a name is lower-cased, loses its trailing dot and keeps its labels', async (t) => {
  name(t, 'Stream.EXAMPLE.', 'stream.example')
  name(t, 'a-b.c1.example', 'a-b.c1.example')
  name(t, '1.2.3.example', '1.2.3.example')
  name(t, 'example', 'example')
})

t.test('internationalised names become A-labels (UTS #46)', async (t) => {
  name(t, 'bücher.example', 'xn--bcher-kva.example')
  name(t, 'BÜCHER.example.', 'xn--bcher-kva.example')
  name(t, 'xn--bcher-kva.example', 'xn--bcher-kva.example')
  name(t, 'faß.example', 'xn--fa-hia.example') // non-transitional, as browsers ask for it
  name(t, 'ex\u00adample.test', 'example.test') // a soft hyphen is ignored
  name(t, 'stream。example', 'stream.example') // an ideographic full stop separates labels
  refused(t, 'xn--zz.example', 'name-idna-invalid')
  refused(t, 'a\u200d.test', 'name-idna-invalid') // a zero-width joiner out of context
})

t.test('RFC 1035 lengths: 63 per label, 253 for the name', async (t) => {
  name(t, `${'a'.repeat(63)}.example`, `${'a'.repeat(63)}.example`)
  refused(t, `${'a'.repeat(64)}.example`, 'name-label-too-long')
  const label = 'a'.repeat(61)
  const at253 = `${[label, label, label, label].join('.')}.example`.slice(-253).replace(/^\./, 'b')
  t.equal(at253.length, 253, 'the test name is 253 characters')
  name(t, at253, at253)
  refused(t, `c${at253}`, 'name-too-long')
  // 60 characters as written, 67 as an A-label: the limit is on what resolvers see.
  refused(t, `${'abcdefghijklmnopqrstuvwxyz'.repeat(2)}0123456ü.example`, 'name-label-too-long')
})

t.test('a refusal names its reason for every malformed name', async (t) => {
  refused(t, 'a..example', 'name-label-empty')
  refused(t, '.example', 'name-label-empty')
  refused(t, 'example..', 'name-label-empty')
  refused(t, '-bad.example', 'name-label-invalid')
  refused(t, 'bad-.example', 'name-label-invalid')
  refused(t, 'under_score.example', 'name-label-invalid')
  refused(t, 'per%41cent.tëst', 'name-label-invalid') // never percent-decoded into another name
  refused(t, 'x.123', 'name-numeric-tld')
  refused(t, 'a*.example', 'name-wildcard-invalid')
  refused(t, 'www.*.example', 'name-wildcard-invalid')
  refused(t, '*.*.example', 'name-wildcard-invalid')
  refused(t, '*', 'name-wildcard-invalid')
})

t.test('a wildcard is its own form, kept with its "*." in front', async (t) => {
  name(t, '*.Example.ORG.', '*.example.org', true)
  name(t, '*.bücher.example', '*.xn--bcher-kva.example', true)
  refused(t, '*.', 'name-label-empty')
  t.ok(nameCovers('*.example.org', 'a.example.org'), 'a wildcard covers a name one label down')
  t.ok(nameCovers('*.example.org', 'a.b.example.org'), 'and any depth below')
  t.notOk(nameCovers('*.example.org', 'example.org'), 'but not the name itself')
  t.notOk(nameCovers('*.example.org', 'badexample.org'), 'nor a name that only ends in the same letters')
  t.ok(nameCovers('a.example.org', 'a.example.org'), 'a plain name covers itself only')
  t.notOk(nameCovers('a.example.org', 'b.a.example.org'), 'not the names under it')
  t.ok(namesOverlap('*.example.org', '*.a.example.org'), 'nested wildcards overlap')
  t.ok(isAtOrUnder('drive.usercontent.google.com', 'google.com'), 'under a suffix')
  t.notOk(isAtOrUnder('notgoogle.com', 'google.com'), 'a label boundary decides, not the letters')
})

t.test('every accepted name is canonical: parsing it again gives it back', async (t) => {
  const label = fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,20}[a-zA-Z0-9])?$/)
  const unicode = fc.constantFrom('ü', 'ß', 'é', 'ж', '中', 'ø')
  const mixed = fc.tuple(label, unicode, label).map(([a, u, b]) => `${a}${u}${b}`)
  holds(
    t,
    'canonical names are fixed points and within the RFC 1035 limits',
    fc.property(
      fc.array(fc.oneof(label, mixed), { minLength: 1, maxLength: 5 }),
      fc.constantFrom('example', 'test'),
      fc.boolean(),
      (labels, tld, wild) => {
        const text = `${wild ? '*.' : ''}${labels.join('.')}.${tld}`
        const first = parseTarget(text, { allowNames: true })
        if (!first.ok) return first.reason.startsWith('name-') && first.message.length > 0
        if (first.target.kind !== 'name') return false
        const again = parseTarget(first.target.name, { allowNames: true })
        return (
          again.ok &&
          again.target.kind === 'name' &&
          again.target.name === first.target.name &&
          first.target.name.length <= 253 &&
          first.target.name.split('.').every((l) => l.length <= 63) &&
          first.target.name === first.target.name.toLowerCase()
        )
      },
    ),
  )
})

t.test(
  'a name is under surveillance once this week no longer blocks it, by itself or by a wildcard',
  async (t) => {
    const previous = ['stream.pirate.example', 'a.live.example', '*.cdn.live.example', 'gone.example']
    t.same(
      namesNoLongerListed(previous, ['stream.pirate.example', '*.live.example']),
      ['gone.example'],
      'names and wildcards a listed wildcard covers are still listed',
    )
    t.same(
      namesNoLongerListed(['live.example'], ['*.live.example']),
      ['live.example'],
      'a wildcard does not cover the name it stands under',
    )
    t.same(namesNoLongerListed(previous, []), previous, 'with no list this week, every name')
  },
)
