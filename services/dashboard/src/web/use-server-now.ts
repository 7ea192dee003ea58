import { useEffect, useState } from 'preact/hooks'

/** The server's current time, ticking every second, for countdowns that agree with the server. */
export function useServerNow(offset: number): number {
  const [now, setNow] = useState(() => Date.now() + offset)
  useEffect(() => {
    setNow(Date.now() + offset)
    const timer = setInterval(() => setNow(Date.now() + offset), 1000)
    return () => clearInterval(timer)
  }, [offset])
  return now
}
