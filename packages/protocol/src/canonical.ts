/**
 * Canonical JSON, the byte string signatures cover: RFC 8785 (JSON Canonicalization Scheme) for
 * the values the protocol uses. Object keys sorted by UTF-16 code units, no whitespace, strings and
 * numbers exactly as `JSON.stringify` writes them, object members whose value is `undefined`
 * omitted. Non-finite numbers are refused because JSON cannot carry them.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value)
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold ${value}`)
      return JSON.stringify(value)
    case 'object': {
      if (Array.isArray(value)) {
        // A group's 100k prefixes: JSON.stringify writes an array of strings exactly so, at once.
        if (value.every((item) => typeof item === 'string')) return JSON.stringify(value)
        return `[${value.map(canonicalJson).join(',')}]`
      }
      const members: string[] = []
      for (const key of Object.keys(value).sort()) {
        const member = (value as Record<string, unknown>)[key]
        if (member === undefined) continue
        members.push(`${JSON.stringify(key)}:${canonicalJson(member)}`)
      }
      return `{${members.join(',')}}`
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`)
  }
}
