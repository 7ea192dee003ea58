/**
 * Writes docs/img/change-cost.svg: the scheduler's cost of one small change with 3 × 100k-entry
 * lists live, before and after issue 13's incremental steps, from the interleaved runs of
 * bench/scheduler/steps.ts recorded below (median ms of 7 runs each; load average 21–29 on the
 * shared 2-core VM). Re-run steps.ts on both commits and update the figures to redraw it.
 *
 *   node --import tsx bench/scheduler/plot-steps.ts
 */
import { writeFile } from 'node:fs/promises'

const figures = [
  { change: 'hot addition, 1 entry', round: 1, before: 13_971, after: 987 },
  { change: 'hot addition, 1 entry', round: 2, before: 17_365, after: 442 },
  { change: 'complaint upheld', round: 1, before: 12_847, after: 1_136 },
  { change: 'complaint upheld', round: 2, before: 8_211, after: 545 },
]
const width = 720
const left = 230
const row = 34
const height = 70 + figures.length * row
const max = Math.log10(20_000)
const x = (ms: number) => left + ((width - left - 60) * Math.log10(Math.max(ms, 1))) / max
const bars = figures.flatMap((f, i) => {
  const y = 40 + i * row
  return [
    `<text x="${left - 8}" y="${y + 13}" text-anchor="end" font-size="12">${f.change} (round ${f.round})</text>`,
    `<rect x="${left}" y="${y}" width="${x(f.before) - left}" height="12" fill="#d62728"/>`,
    `<text x="${x(f.before) + 4}" y="${y + 10}" font-size="11">${f.before} ms</text>`,
    `<rect x="${left}" y="${y + 14}" width="${x(f.after) - left}" height="12" fill="#2ca02c"/>`,
    `<text x="${x(f.after) + 4}" y="${y + 24}" font-size="11">${f.after} ms</text>`,
  ]
})
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<text x="10" y="20" font-size="14">Scheduler, one small change with 3 × 100k lists live: median ms, log scale (red before, green after #13)</text>
${bars.join('\n')}
<text x="10" y="${height - 10}" font-size="11">bench/scheduler/steps.ts, interleaved before/after, shared 2-core EPYC VM at load average 21–29</text>
</svg>
`
await writeFile(new URL('../../docs/img/change-cost.svg', import.meta.url), svg)
console.log('wrote docs/img/change-cost.svg')
