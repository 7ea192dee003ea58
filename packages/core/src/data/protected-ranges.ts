/**
 * Default protected ranges: overlapping one holds an entry for review (SPEC rule 6). Blocking a
 * shared front end or a public resolver takes down unrelated services — in February 2024 Italy's
 * platform blocked 188.114.97.7, inside Cloudflare's 188.114.96.0/20.
 *
 * These lists change. Operators replace or extend them at run time with PUT /v1/guard/protected;
 * the tables here are only the starting point and each names where it was taken from.
 */
import type { ProtectedRange } from '../guard-config.js'

const CLOUDFLARE = 'https://www.cloudflare.com/ips/'

/** Cloudflare's published IPv4 and IPv6 ranges (www.cloudflare.com/ips-v4, /ips-v6). */
export const cloudflareRanges: ProtectedRange[] = [
  '173.245.48.0/20',
  '103.21.244.0/22',
  '103.22.200.0/22',
  '103.31.4.0/22',
  '141.101.64.0/18',
  '108.162.192.0/18',
  '190.93.240.0/20',
  '188.114.96.0/20',
  '197.234.240.0/22',
  '198.41.128.0/17',
  '162.158.0.0/15',
  '104.16.0.0/13',
  '104.24.0.0/14',
  '172.64.0.0/13',
  '131.0.72.0/22',
  '2400:cb00::/32',
  '2606:4700::/32',
  '2803:f800::/32',
  '2405:b500::/32',
  '2405:8100::/32',
  '2a06:98c0::/29',
  '2c0f:f248::/32',
].map((prefix) => ({ prefix, name: 'Cloudflare', source: CLOUDFLARE }))

/** Anycast addresses of the big public DNS resolvers, from each operator's own documentation. */
export const publicResolverRanges: ProtectedRange[] = [
  ...['8.8.8.8/32', '8.8.4.4/32', '2001:4860:4860::8888/128', '2001:4860:4860::8844/128'].map((prefix) => ({
    prefix,
    name: 'Google Public DNS',
    source: 'https://developers.google.com/speed/public-dns/docs/using',
  })),
  ...['1.1.1.1/32', '1.0.0.1/32', '2606:4700:4700::1111/128', '2606:4700:4700::1001/128'].map((prefix) => ({
    prefix,
    name: 'Cloudflare DNS (1.1.1.1)',
    source: 'https://developers.cloudflare.com/1.1.1.1/ip-addresses/',
  })),
  ...['9.9.9.9/32', '149.112.112.112/32', '2620:fe::fe/128', '2620:fe::9/128'].map((prefix) => ({
    prefix,
    name: 'Quad9',
    source: 'https://www.quad9.net/service/service-addresses-and-features/',
  })),
  ...['208.67.222.222/32', '208.67.220.220/32', '2620:119:35::35/128', '2620:119:53::53/128'].map(
    (prefix) => ({
      prefix,
      name: 'OpenDNS',
      source: 'https://www.opendns.com/setupguide/',
    }),
  ),
]

/**
 * PLACEHOLDER — national ISPs' own ranges (the 2007 decree's "singularity": addresses assigned
 * to national ISPs must not be blocked). Deliberately empty: which ISPs count is a deployment's
 * decision. Operators fill it at run time with PUT /v1/guard/protected, one entry per range,
 * e.g. `{ "prefix": "<ISP's aggregate>", "name": "<ISP>", "source": "RIPE NCC allocation, <date>" }`.
 */
export const nationalIspRanges: ProtectedRange[] = []

export const defaultProtectedRanges: ProtectedRange[] = [
  ...cloudflareRanges,
  ...publicResolverRanges,
  ...nationalIspRanges,
]
