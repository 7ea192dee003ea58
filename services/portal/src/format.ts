/** How the portal writes instants, durations and rates. */

/** "2026-12-01 20:45 UTC" */
export function when(isoText: string): string {
  return `${isoText.slice(0, 10)} ${isoText.slice(11, 16)} UTC`
}

/** "3 h 20 min", "45 min", "12 s" */
export function duration(ms: number | null): string {
  if (ms === null) return '—'
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours} h ${minutes % 60} min`
  return `${Math.round(hours / 24)} days`
}

/** "97.5 %" or "—" */
export function rate(value: number | null): string {
  return value === null ? '—' : `${(Math.round(value * 1000) / 10).toFixed(1)} %`
}
