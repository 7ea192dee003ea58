/**
 * Redraws docs/img/matchday.svg from a saved run of bench/matchday/run.ts (its markdown table):
 * per action, one bar to the p50 and a tick at the p99 for each (agents, live 100k lists) run,
 * on a logarithmic millisecond axis.
 *
 *   node --import tsx bench/matchday/plot.ts bench/matchday/last-run.md
 */
import { readFile, writeFile } from 'node:fs/promises'

const source = process.argv[2] ?? new URL('./last-run.md', import.meta.url).pathname
const text = await readFile(source, 'utf8')
const machine = /^# bench\/matchday — (.*)$/m.exec(text)?.[1] ?? ''
interface Row {
  run: string
  action: string
  p50: number
  p99: number
  /** Why there is no p50 (every trial timed out or failed), from the row's note. */
  missing?: string
}
const rows: Row[] = []
for (const line of text.split('\n')) {
  const cells = line.split('|').map((cell) => cell.trim())
  const [, agents, lists, actionCell = '', , p50, p99] = cells
  if (
    !agents ||
    !/^\d+$/.test(agents) ||
    actionCell.includes('API call itself') ||
    actionCell.startsWith('FAILED')
  )
    continue
  // The row's notes (snapshots sent, upload time, timeouts) follow the action in parentheses.
  const action = actionCell.replace(/ \(.*\)$/, '')
  const note = /\((.*)\)$/.exec(actionCell)?.[1] ?? ''
  rows.push({
    run: `${agents} agents, ${lists} × 100k`,
    action,
    p50: Number(p50),
    p99: Number(p99),
    ...(Number.isFinite(Number(p50))
      ? {}
      : { missing: /(timed out|skipped|failed|no revision)[^;]*/.exec(note)?.[0] ?? 'no figure' }),
  })
}
const runs = [...new Set(rows.map((row) => row.run))]
const actions = [...new Set(rows.map((row) => row.action))]
const colours = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#393b79',
  '#637939',
]
const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const label = 260
const plot = 520
const rowHeight = 14 * runs.length + 12
const top = 48
const height = top + actions.length * rowHeight + 60 + 16 * Math.ceil(runs.length / 3)
const width = label + plot + 130
const [minLog, maxLog] = [1, 6] // 10 ms … 1 000 s
const x = (ms: number) =>
  label +
  (plot * (Math.min(Math.max(Math.log10(Math.max(ms, 1)), minLog), maxLog) - minLog)) / (maxLog - minLog)
const out = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
  `<rect width="${width}" height="${height}" fill="white"/>`,
  `<text x="10" y="20" font-size="14" font-weight="bold">Match day: change → every simulated agent acknowledged</text>`,
  `<text x="10" y="36" fill="#555">bar: p50, tick: p99 over trials of the slowest agent; log scale; target p99 ≤ 100 ms (hot addition, complaint), 1.5 s (new list), 10 s (reconnect)</text>`,
]
for (const [tick, name] of [
  [10, '10 ms'],
  [100, '100 ms'],
  [1000, '1 s'],
  [10_000, '10 s'],
  [100_000, '100 s'],
  [1_000_000, '1 000 s'],
] as const) {
  out.push(
    `<line x1="${x(tick)}" y1="${top - 4}" x2="${x(tick)}" y2="${top + actions.length * rowHeight}" stroke="#ddd"/>`,
    `<text x="${x(tick)}" y="${top + actions.length * rowHeight + 16}" text-anchor="middle" fill="#555">${name}</text>`,
  )
}
actions.forEach((action, a) => {
  const y0 = top + a * rowHeight
  out.push(`<text x="10" y="${y0 + 14}">${xml(action)}</text>`)
  runs.forEach((run, r) => {
    const row = rows.find((candidate) => candidate.run === run && candidate.action === action)
    if (!row) return
    const y = y0 + 4 + r * 14
    const colour = colours[r % colours.length]
    if (row.missing) {
      out.push(
        `<text x="${label + 4}" y="${y + 11}" font-size="10" fill="#b00">${xml(`${row.missing}`)}</text>`,
      )
      return
    }
    out.push(
      `<rect x="${label}" y="${y + 2}" width="${(x(row.p50) - label).toFixed(1)}" height="10" fill="${colour}"/>`,
      `<line x1="${x(row.p99).toFixed(1)}" y1="${y}" x2="${x(row.p99).toFixed(1)}" y2="${y + 14}" stroke="black" stroke-width="2"/>`,
      `<text x="${(Math.max(x(row.p50), x(row.p99)) + 4).toFixed(1)}" y="${y + 11}" font-size="10" fill="#333">${row.p50} / ${row.p99} ms</text>`,
    )
  })
})
const legendY = top + actions.length * rowHeight + 36
runs.forEach((run, r) => {
  const lx = label + (r % 3) * 200
  const ly = legendY + 16 * Math.floor(r / 3)
  out.push(
    `<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${colours[r % colours.length]}"/>`,
    `<text x="${lx + 14}" y="${ly}">${xml(run)}</text>`,
  )
})
out.push(`<text x="10" y="${height - 8}" fill="#777" font-size="10">${xml(machine)}</text>`, '</svg>', '')
await writeFile(new URL('../../docs/img/matchday.svg', import.meta.url), out.join('\n'))
console.log('wrote docs/img/matchday.svg')
