/**
 * The functions that took the most CPU in V8 CPU profiles (`node --cpu-prof`), by self time and
 * by total time (self plus callees, each function counted once per stack), so a benchmark's
 * profile can be read without a browser.
 *
 *   node bench/e2e/profile-top.ts FILE.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
})
const top = Number(values.top)

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const name = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame
    const where = url.replace(/^.*\/(node_modules|work\/wt\/[^/]+)\//, '').replace(/^file:\/\//, '')
    return `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`
  }
  const self = new Map<string, number>()
  const total = new Map<string, number>()
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000
    const leaf = byId.get(id)
    if (!leaf) return
    self.set(name(leaf), (self.get(name(leaf)) ?? 0) + ms)
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at)
      if (!node) break
      const key = name(node)
      if (seen.has(key)) continue
      seen.add(key)
      total.set(key, (total.get(key) ?? 0) + ms)
    }
  })
  const busy = [...self].filter(([key]) => !key.startsWith('(idle)')).reduce((sum, [, ms]) => sum + ms, 0)
  console.log(`# ${file}: ${Math.round(busy)} ms busy`)
  const print = (title: string, map: Map<string, number>) => {
    console.log(`## ${title}`)
    for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${ms.toFixed(0).padStart(7)} ms  ${key}`)
    }
  }
  print('self', self)
  print('total', total)
}
