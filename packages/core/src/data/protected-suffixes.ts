/**
 * Default protected suffixes: a listed name at or under one is held for review (SPEC rule 6), as
 * a listed address inside a protected range is. These are the names of shared front ends, cloud
 * and CDN platforms where one blocked name can take down a service used by millions — in October
 * 2024 Italy's platform blocked drive.usercontent.google.com and Google Drive went down for hours.
 *
 * Operators replace or extend the table at run time with PUT /v1/guard/protected-suffixes; each
 * row says whose the suffix is and why it is here.
 */
import type { ProtectedSuffix } from '../guard-config.js'

const GOOGLE_DRIVE_2024 =
  'Offside default: Google front ends; drive.usercontent.google.com was blocked in Italy in October 2024 and Google Drive went down for hours'

export const defaultProtectedSuffixes: ProtectedSuffix[] = [
  { suffix: 'google.com', name: 'Google', source: GOOGLE_DRIVE_2024 },
  { suffix: 'googleusercontent.com', name: 'Google', source: GOOGLE_DRIVE_2024 },
  { suffix: 'youtube.com', name: 'Google (YouTube)', source: 'Offside default: YouTube pages and players' },
  {
    suffix: 'googlevideo.com',
    name: 'Google (YouTube)',
    source: 'Offside default: YouTube video delivery (its caches sit inside ISPs)',
  },
  {
    suffix: 'cloudflare.com',
    name: 'Cloudflare',
    source: 'Offside default: Cloudflare dashboard, API and DNS',
  },
  {
    suffix: 'workers.dev',
    name: 'Cloudflare',
    source:
      'Offside default: Cloudflare Workers hosts every customer under it (a Public Suffix List private entry)',
  },
  {
    suffix: 'pages.dev',
    name: 'Cloudflare',
    source:
      'Offside default: Cloudflare Pages hosts every customer under it (a Public Suffix List private entry)',
  },
  {
    suffix: 'amazonaws.com',
    name: 'Amazon Web Services',
    source: 'Offside default: AWS service endpoints (S3, EC2, load balancers) shared by every AWS customer',
  },
  {
    suffix: 'cloudfront.net',
    name: 'Amazon CloudFront',
    source:
      'Offside default: CloudFront distributions of every customer (a Public Suffix List private entry)',
  },
  {
    suffix: 'akamaihd.net',
    name: 'Akamai',
    source: 'Offside default: Akamai HD delivery shared by its customers',
  },
  {
    suffix: 'azureedge.net',
    name: 'Microsoft Azure CDN',
    source: 'Offside default: Azure CDN endpoints of every customer',
  },
  {
    suffix: 'fastly.net',
    name: 'Fastly',
    source: 'Offside default: Fastly CDN endpoints shared by its customers',
  },
  {
    suffix: 'github.io',
    name: 'GitHub Pages',
    source: 'Offside default: GitHub Pages hosts every user under it (a Public Suffix List private entry)',
  },
]
