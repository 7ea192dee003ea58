import { eventStatuses } from '@offside/core'
import { Type } from 'typebox'
import { Instant } from './common.js'

/** Pre/post margins: at most 4 h, like the import (calendar-import/fields.ts maxMarginMinutes). */
const Minutes = Type.Integer({ minimum: 0, maximum: 240 })
const MonthDay = Type.String({ pattern: '^\\d{2}-\\d{2}$' })
const Status = Type.Enum(eventStatuses)

export const PutCompetition = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    preMinutes: Type.Optional(Minutes),
    postMinutes: Type.Optional(Minutes),
    seasonStart: Type.Optional(MonthDay),
    seasonEnd: Type.Optional(MonthDay),
  },
  { additionalProperties: false },
)

export const CompetitionView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  timeZone: Type.String(),
  preMinutes: Type.Integer(),
  postMinutes: Type.Integer(),
  seasonStart: Type.Optional(Type.String()),
  seasonEnd: Type.Optional(Type.String()),
})

export const PutEvent = Type.Object(
  {
    competition: Type.String({ minLength: 1, maxLength: 64 }),
    kickoff: Instant,
    end: Instant,
    preMinutes: Type.Optional(Minutes),
    postMinutes: Type.Optional(Minutes),
    status: Type.Optional(Status),
    title: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)

export const WindowView = Type.Object({
  event: Type.String(),
  competition: Type.String(),
  opensAt: Type.String(),
  closesAt: Type.String(),
  week: Type.String(),
})

export const EventView = Type.Object({
  id: Type.String(),
  competition: Type.String(),
  kickoff: Type.String(),
  end: Type.String(),
  preMinutes: Type.Optional(Type.Integer()),
  postMinutes: Type.Optional(Type.Integer()),
  status: Status,
  title: Type.Optional(Type.String()),
  /** The blocking window this event opens, or null when it is cancelled or postponed. */
  window: Type.Union([WindowView, Type.Null()]),
})

export const ImportResult = Type.Object({ imported: Type.Integer(), events: Type.Array(EventView) })
