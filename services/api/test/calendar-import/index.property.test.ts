import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import t from 'tap'
import { parseEventsImport } from '../../src/calendar-import/index.js'

// Hostile calendars: any text, and the real fixtures with lines dropped, doubled or garbled, are
// answered with events or with errors naming a field and a reason — never a throw.
// OFFSIDE_PROPERTY_RUNS raises the cases for a long run on demand.
const numRuns = Number(process.env.OFFSIDE_PROPERTY_RUNS ?? 200)
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
const formats = [
  { type: 'text/csv', sample: fixture('serie-a-w48.csv') },
  { type: 'text/calendar', sample: fixture('serie-a-dst.ics') },
  { type: 'text/calendar', sample: fixture('outlook.ics') },
]

function answered(result: ReturnType<typeof parseEventsImport>): boolean {
  if (result.ok) return Array.isArray(result.events)
  return (
    result.errors.length > 0 &&
    result.errors.every((e) => typeof e.field === 'string' && typeof e.reason === 'string')
  )
}

const garbled = fc.constantFrom(...formats).chain(({ type, sample }) => {
  const lines = sample.split(/\r?\n/)
  return fc
    .array(
      fc.record({
        at: fc.nat(lines.length - 1),
        change: fc.constantFrom('drop', 'double', 'replace', 'truncate'),
        text: fc.string({ maxLength: 80 }),
      }),
      { minLength: 1, maxLength: 6 },
    )
    .map((edits) => {
      const copy = [...lines]
      for (const { at, change, text } of edits) {
        const i = Math.min(at, copy.length - 1)
        if (change === 'drop') copy.splice(i, 1)
        else if (change === 'double') copy.splice(i, 0, copy[i] ?? '')
        else if (change === 'replace') copy[i] = text
        else copy[i] = (copy[i] ?? '').slice(0, text.length % 12)
      }
      return { type, body: copy.join('\r\n') }
    })
})

t.test('any text as CSV or iCalendar is answered with events or named errors, never a throw', async (t) => {
  fc.assert(
    fc.property(fc.constantFrom('text/csv', 'text/calendar'), fc.string({ maxLength: 2000 }), (type, body) =>
      answered(parseEventsImport(type, body, { competition: 'serie-a' })),
    ),
    { numRuns },
  )
  t.pass(`${numRuns} random texts`)
})

t.test(
  'the real calendars with lines dropped, doubled, replaced or cut are answered, never a throw',
  async (t) => {
    fc.assert(
      fc.property(garbled, ({ type, body }) =>
        answered(parseEventsImport(type, body, { competition: 'serie-a' })),
      ),
      { numRuns },
    )
    t.pass(`${numRuns} garbled calendars`)
  },
)
