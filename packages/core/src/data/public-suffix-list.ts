/**
 * Which Public Suffix List the name guard judges by. The list itself ships inside `tldts` (it is
 * rebuilt from publicsuffix.org on each release), so the list's version is that package's version;
 * a test checks this constant against the installed package, so an upgrade cannot go unrecorded.
 */
export const publicSuffixList = {
  source: 'Public Suffix List (publicsuffix.org), ICANN and private sections, as shipped in tldts',
  version: 'tldts 7.6.0',
} as const
