/** Formatting shared by the panels. Times are shown in the viewer's local zone, 24-hour. */

/** "1:02:03" or "12:05" (minutes:seconds) until/since an instant; never negative. */
export function countdown(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000))
  const hours = Math.floor(total / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const seconds = total % 60
  const mm = String(minutes).padStart(hours > 0 ? 2 : 1, '0')
  const ss = String(seconds).padStart(2, '0')
  return hours > 0 ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`
}

export function clock(instant: number): string {
  return new Date(instant).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })
}

export function clockSeconds(instant: number): string {
  return new Date(instant).toLocaleTimeString('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
}

/** A clock offset as "+20.0 s" / "−0.3 s" (agent clock minus the gateway's). */
export function offset(ms: number): string {
  return `${ms < 0 ? '−' : '+'}${(Math.abs(ms) / 1000).toFixed(1)} s`
}

/** "3 min ago", "2 h ago". */
export function ago(instant: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - instant) / 1000))
  if (seconds < 60) return `${seconds} s ago`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`
  return `${Math.floor(seconds / 86400)} d ago`
}

/** Counts with thin-space grouping ("16 777 216"); IPv6-sized ones in scientific form ("7.92e28"). */
export function count(value: string | number): string {
  const text = String(value)
  if (text.length > 15) return `${text[0]}.${text.slice(1, 3)}e${text.length - 1}`
  return text.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f')
}
