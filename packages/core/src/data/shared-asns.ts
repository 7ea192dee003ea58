/**
 * Default shared-infrastructure networks (SPEC rule 6): an entry announced by one of these
 * autonomous systems is held for review even where no protected range covers it, because CDNs,
 * clouds and large hosters put thousands of unrelated customers behind the same addresses.
 *
 * The table is data: a deployment passes its own `sharedAsns` in the guard configuration. Each
 * row names where the network's identity was taken from (its PeeringDB record); whether a network
 * counts as shared is the operator's judgement, given in `kind`.
 */
import type { SharedAsn } from '../guard-asn.js'

const peeringdb = (asn: number) => `https://www.peeringdb.com/asn/${asn}`

const rows: [asn: number, name: string, kind: SharedAsn['kind']][] = [
  [13335, 'Cloudflare', 'cdn'],
  [209242, 'Cloudflare (Spectrum, WARP)', 'cdn'],
  [20940, 'Akamai', 'cdn'],
  [16625, 'Akamai', 'cdn'],
  [54113, 'Fastly', 'cdn'],
  [60068, 'CDN77 / Datacamp', 'cdn'],
  [21859, 'Zenlayer', 'cdn'],
  [15133, 'Edgecast (Edgio)', 'cdn'],
  [15169, 'Google', 'cloud'],
  [396982, 'Google Cloud', 'cloud'],
  [16509, 'Amazon', 'cloud'],
  [14618, 'Amazon', 'cloud'],
  [8075, 'Microsoft', 'cloud'],
  [31898, 'Oracle Cloud', 'cloud'],
  [14061, 'DigitalOcean', 'cloud'],
  [63949, 'Akamai Connected Cloud (Linode)', 'cloud'],
  [20473, 'Vultr (Constant)', 'cloud'],
  [16276, 'OVH', 'hoster'],
  [24940, 'Hetzner', 'hoster'],
  [12876, 'Scaleway', 'hoster'],
  [51167, 'Contabo', 'hoster'],
  [31034, 'Aruba', 'hoster'],
]

export const defaultSharedAsns: SharedAsn[] = rows.map(([asn, name, kind]) => ({
  asn,
  name,
  kind,
  source: peeringdb(asn),
}))
