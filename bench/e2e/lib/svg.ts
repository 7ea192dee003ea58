/**
 * A hand-written SVG of the end-to-end latency figures: one row per action, a bar to the p50 and
 * a thinner one to the p95 per agent count, on a logarithmic millisecond axis (figures span from
 * milliseconds to seconds), with Italy's 30-minute budget named in the caption.
 */

/** The measured times of one action. */
export interface ActionFigures {
  action: string
  /** What the time is measured from. */
  reference: string
  times: number[]
  /** The first part of each time: reference → revision published by the scheduler. */
  published?: number[]
}

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728']
const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0
}

/** The chart for runs with different agent counts (the actions must be the same in each). */
export function latencySvg(runs: { agents: number; figures: ActionFigures[] }[], machine: string): string {
  const actions = runs[0]?.figures.map((figure) => figure.action) ?? []
  const label = 250
  const plot = 520
  const rowHeight = 14 * runs.length + 12
  const top = 48
  const height = top + actions.length * rowHeight + 70
  const width = label + plot + 110
  const minLog = 0 // 1 ms
  const maxLog = 4 // 10 s
  const x = (ms: number) =>
    label +
    (plot * (Math.min(Math.max(Math.log10(Math.max(ms, 1)), minLog), maxLog) - minLog)) / (maxLog - minLog)
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">Offside end-to-end latency: change → every agent acknowledged (100 000-entry list)</text>`,
    `<text x="10" y="36" fill="#555">bar: p50, thin bar: p95, black tick: p50 of the scheduler's share (revision published); log scale. Italy's budget: 30 min.</text>`,
  ]
  for (const [tick, text] of [
    [1, '1 ms'],
    [10, '10 ms'],
    [100, '100 ms'],
    [1000, '1 s'],
    [10_000, '10 s'],
  ] as const) {
    out.push(
      `<line x1="${x(tick)}" y1="${top - 4}" x2="${x(tick)}" y2="${top + actions.length * rowHeight}" stroke="#ddd"/>`,
      `<text x="${x(tick)}" y="${top + actions.length * rowHeight + 16}" text-anchor="middle" fill="#555">${text}</text>`,
    )
  }
  actions.forEach((action, row) => {
    const y0 = top + row * rowHeight
    const reference = runs[0]?.figures[row]?.reference ?? ''
    out.push(`<text x="10" y="${y0 + 12}">${xml(action)}</text>`)
    out.push(`<text x="10" y="${y0 + 25}" fill="#777" font-size="10">from ${xml(reference)}</text>`)
    runs.forEach((run, i) => {
      const times = run.figures[row]?.times ?? []
      const p50 = quantile(times, 0.5)
      const p95 = quantile(times, 0.95)
      const y = y0 + 4 + i * 14
      const colour = COLOURS[i % COLOURS.length]
      out.push(
        `<rect x="${label}" y="${y + 8}" width="${(x(p95) - label).toFixed(1)}" height="2" fill="${colour}" opacity="0.6"/>`,
        `<rect x="${label}" y="${y + 2}" width="${(x(p50) - label).toFixed(1)}" height="10" fill="${colour}"/>`,
        `<text x="${(x(p95) + 4).toFixed(1)}" y="${y + 11}" font-size="10" fill="#333">${p50.toFixed(0)} / ${p95.toFixed(0)} ms</text>`,
      )
      const published = run.figures[row]?.published
      if (published && published.length > 0) {
        const at = x(quantile(published, 0.5)).toFixed(1)
        out.push(`<line x1="${at}" y1="${y}" x2="${at}" y2="${y + 14}" stroke="black" stroke-width="2"/>`)
      }
    })
  })
  const legendY = top + actions.length * rowHeight + 34
  runs.forEach((run, i) => {
    const lx = label + i * 130
    out.push(
      `<rect x="${lx}" y="${legendY - 9}" width="10" height="10" fill="${COLOURS[i % COLOURS.length]}"/>`,
      `<text x="${lx + 14}" y="${legendY}">${run.agents} agent${run.agents === 1 ? '' : 's'}</text>`,
    )
  })
  out.push(`<text x="10" y="${legendY + 20}" fill="#777" font-size="10">${xml(machine)}</text>`, '</svg>', '')
  return out.join('\n')
}
