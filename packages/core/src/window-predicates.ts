import { StateIndex } from './state-index.js'
import type { StateInputs } from './state-inputs.js'
import type { EventWindow } from './time.js'

/** Windows live at `now` (`opensAt ≤ now < closesAt`), earliest opening first. */
export function liveWindows(inputs: StateInputs): EventWindow[] {
  return new StateIndex(inputs).windows.filter((w) => isLive(w, inputs.now))
}

/** Windows not open yet that open before `now + horizonMs`, earliest first. */
export function upcomingWindows(inputs: StateInputs, horizonMs: number): EventWindow[] {
  return new StateIndex(inputs).windows.filter((w) => isUpcoming(w, inputs.now, horizonMs))
}

/** Windows whose entries are enforced at `now`: live, or closed less than `graceMs` ago. */
export function enforcingWindows(inputs: StateInputs): EventWindow[] {
  return new StateIndex(inputs).windows.filter((w) => isEnforcing(w, inputs.now, inputs.graceMs))
}

/** The window itself is under way: `opensAt ≤ now < closesAt` (what the dashboard and API call live). */
export function isLive(window: EventWindow, now: number): boolean {
  return window.opensAt <= now && now < window.closesAt
}

/**
 * The window's entries are enforced: `opensAt ≤ now < closesAt + graceMs` (SPEC rule 5). A
 * recompute during the grace must keep what agents were told to enforce until `until`, or a
 * hot addition just after the final whistle would cut the block short.
 */
export function isEnforcing(window: EventWindow, now: number, graceMs: number): boolean {
  return window.opensAt <= now && now < window.closesAt + graceMs
}

export function isUpcoming(window: EventWindow, now: number, horizonMs: number): boolean {
  return now < window.opensAt && window.opensAt < now + horizonMs
}
