import t from 'tap'
import { regionOf } from '../src/cover-regions.js'
import { PrefixSet } from '../src/prefix-set.js'

t.test('a change is re-covered within its /24 or /64', async (t) => {
  t.equal(regionOf('198.51.100.7/32'), '198.51.100.0/24', 'an IPv4 host')
  t.equal(regionOf('198.51.0.0/16'), '198.51.0.0/16', 'a prefix wider than a region is its own region')
  t.equal(regionOf('2001:db8:0:0:1::5/128'), '2001:db8::/64', 'zero hextets are compressed')
  t.equal(regionOf('2001:0:0:1::5/128'), '2001:0:0:1::/64', 'the longest zero run is compressed')
  t.equal(regionOf('2001:db8:a:b::/64'), '2001:db8:a:b::/64', 'a /64 is its own region')
  for (const prefix of ['2001:db8:0:0:1::5/128', '2001:0:0:1::5/128', '2001:db8:a:b:c::/80']) {
    const region = regionOf(prefix)
    t.same(PrefixSet.from([region]).toPrefixes(), [region], `${region} is canonical`)
  }
})
