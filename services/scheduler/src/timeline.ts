import { type Competition, eventWindow, isoWeekKey, type StateInputs, weekBounds } from '@offside/core'
import type { TimedKind, TimelineJob } from '@offside/store'
import type { Queue } from 'bullmq'

/** The calendar part of the state inputs: enough to tell which windows are live or due. */
export type Calendar = Pick<StateInputs, 'now' | 'graceMs' | 'events' | 'competitions'>

/** One calendar instant the scheduler acts on, with the job id that keeps it unique. */
export interface PlannedInstant {
  id: string
  job: TimelineJob & { kind: TimedKind }
}

/** BullMQ job ids may not contain ':'; event and competition ids might. */
function safe(part: string): string {
  return part.replaceAll('%', '%25').replaceAll(':', '%3A').replaceAll('.', '%2E')
}

/** The deterministic job id of an instant: `window-open.<event>.<at>`, `rotation.<competition>.<week>`. */
export function instantId(job: TimelineJob & { kind: TimedKind }): string {
  const subject =
    job.kind === 'rotation' ? `${safe(job.competition ?? '')}.${job.week}` : safe(job.event ?? '')
  return `${job.kind}.${subject}.${job.scheduledAt}`
}

/**
 * The instant a window's enforcement ends: its close plus the grace. The close revision is
 * published then, when agents drop the group by their own clocks.
 */
export function closeInstant(closesAt: number, graceMs: number): number {
  return closesAt + graceMs
}

/**
 * Whether a window-open/close job still matches the event's current window: the event may have
 * been moved, extended or cancelled since the job was made. A window-open run only after its
 * window ended is not due either: nothing is enforced past `until`.
 */
export function windowStillDue(inputs: Calendar, job: TimelineJob): boolean {
  const event = inputs.events.find((candidate) => candidate.id === job.event)
  const competition = inputs.competitions.find((candidate) => candidate.id === event?.competition)
  if (!event || !competition) return false
  const window = eventWindow(event, competition)
  if (!window) return false
  const close = closeInstant(window.closesAt, inputs.graceMs)
  if (job.kind === 'window-open') return window.opensAt === job.scheduledAt && inputs.now < close
  if (job.kind === 'window-close') return close === job.scheduledAt
  return true
}

function rotations(competition: Competition, now: number, until: number): PlannedInstant[] {
  const planned: PlannedInstant[] = []
  let boundary = weekBounds(isoWeekKey(now, competition.timeZone), competition.timeZone).end
  while (boundary <= until) {
    const week = isoWeekKey(boundary, competition.timeZone)
    const job = { kind: 'rotation' as const, scheduledAt: boundary, competition: competition.id, week }
    planned.push({ id: instantId(job), job })
    boundary = weekBounds(week, competition.timeZone).end
  }
  return planned
}

/**
 * Every window open, window close (end + grace) and week boundary after `inputs.now` and within
 * the horizon. Cancelled and postponed events have no window, hence no instants.
 */
export function plannedInstants(inputs: Calendar, horizonMs: number): PlannedInstant[] {
  const { now } = inputs
  const until = now + horizonMs
  const competitions = new Map(inputs.competitions.map((competition) => [competition.id, competition]))
  const planned: PlannedInstant[] = []
  const plan = (job: TimelineJob & { kind: TimedKind }) => {
    if (job.scheduledAt > now && job.scheduledAt <= until) planned.push({ id: instantId(job), job })
  }
  for (const event of inputs.events) {
    const competition = competitions.get(event.competition)
    const window = competition && eventWindow(event, competition)
    if (!window) continue
    plan({ kind: 'window-open', scheduledAt: window.opensAt, event: event.id })
    plan({
      kind: 'window-close',
      scheduledAt: closeInstant(window.closesAt, inputs.graceMs),
      event: event.id,
    })
  }
  for (const competition of competitions.values()) planned.push(...rotations(competition, now, until))
  return planned
}

/** Jobs this close to their instant are left alone: removing one could race its own run. */
const SETTLED_MS = 2000

/**
 * Makes the queue's delayed jobs match the calendar: adds the missing instants (an existing id is
 * left as it is, so two schedulers syncing at once add each job once) and removes the jobs of
 * windows that moved or were cancelled. A job removed too late, or added from inputs that were
 * already stale, finds at run time that its window no longer matches and does nothing.
 */
export async function syncTimeline(
  queue: Queue<TimelineJob>,
  inputs: Calendar,
  horizonMs: number,
  clock: () => number = Date.now,
): Promise<{ added: number; removed: number }> {
  const planned = plannedInstants(inputs, horizonMs)
  const wanted = new Set(planned.map((instant) => instant.id))
  const existing = await queue.getJobs(['delayed', 'waiting', 'prioritized'])
  const present = new Set(existing.map((job) => job.id))
  let added = 0
  for (const { id, job } of planned) {
    if (present.has(id)) continue
    await queue.add(job.kind, job, { jobId: id, delay: Math.max(0, job.scheduledAt - clock()) })
    added++
  }
  let removed = 0
  for (const job of existing) {
    const data = job.data as TimelineJob | undefined
    if (!job.id || !data || data.kind === 'tick' || wanted.has(job.id)) continue
    if (data.scheduledAt - clock() < SETTLED_MS || data.scheduledAt > inputs.now + horizonMs) continue
    try {
      await job.remove()
      removed++
    } catch {
      // Locked by a worker that is running it: the run checks the window and no-ops if stale.
    }
  }
  return { added, removed }
}
