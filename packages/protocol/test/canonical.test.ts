import t from 'tap'
import { canonicalJson } from '../src/canonical.js'

t.test('canonical JSON sorts keys at every depth and drops whitespace', async (t) => {
  const text = canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })
  t.equal(text, '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}', 'keys sorted, no spaces')
})

t.test('canonical JSON is the same for objects built in different key orders', async (t) => {
  const one = canonicalJson({ revision: 7, ops: [{ op: 'drop', id: 'w:m1' }], kind: 'delta' })
  const two = canonicalJson({ kind: 'delta', ops: [{ id: 'w:m1', op: 'drop' }], revision: 7 })
  t.equal(one, two, 'insertion order does not change the signed bytes')
})

t.test('canonical JSON escapes strings as JSON.stringify does and omits undefined members', async (t) => {
  t.equal(canonicalJson({ s: 'é"\n', u: undefined }), '{"s":"é\\"\\n"}', 'escaping and omission')
})

t.test('canonical JSON refuses values JSON cannot carry', async (t) => {
  t.throws(() => canonicalJson({ n: Number.NaN }), TypeError, 'NaN refused')
  t.throws(() => canonicalJson({ n: Number.POSITIVE_INFINITY }), TypeError, 'Infinity refused')
  t.throws(() => canonicalJson({ f: () => 1 }), TypeError, 'functions refused')
})

t.test(
  'an array of strings is written as each string is, in order, whole or among other values',
  async (t) => {
    const prefixes = ['2001:db8::1/128', '203.0.113.7/32', 'é"\n', '\ud800']
    const byElement = `[${prefixes.map((prefix) => JSON.stringify(prefix)).join(',')}]`
    t.equal(canonicalJson(prefixes), byElement, 'strings only')
    t.equal(canonicalJson({ prefixes }), `{"prefixes":${byElement}}`, 'inside an object')
    t.equal(
      canonicalJson(['a', { b: 1, a: 2 }]),
      '["a",{"a":2,"b":1}]',
      'mixed arrays still sort their objects',
    )
    t.equal(canonicalJson([]), '[]', 'the empty array')
  },
)
