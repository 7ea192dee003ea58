import type { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  type Competition,
  defaultTimeZone,
  isValidMonthDay,
  isValidTimeZone,
  type MatchEvent,
} from '@offside/core'
import {
  getCompetition,
  listCompetitions,
  listEvents,
  putCompetition,
  putEvent,
  putEvents,
} from '@offside/store'
import { Type } from 'typebox'
import { maxEventMs } from '../../calendar-import/fields.js'
import { parseEventsImport, readJsonEvents } from '../../calendar-import/index.js'
import type { ApiConfig } from '../../config.js'
import { errors, problem } from '../../errors.js'
import { readLimited } from '../../plugins/body-parsers.js'
import { CompetitionView, EventView, ImportResult, PutCompetition, PutEvent } from '../../schemas/calendar.js'
import { filterQuery, IdParams, problemResponses } from '../../schemas/common.js'
import { routeOptions } from '../options.js'
import { eventView } from './views.js'

const writers = { roles: ['authority' as const, 'ops' as const] }

/** Competitions and events: the calendar that decides when blocks are on (SPEC rules 1-2). */
const calendarRoutes: FastifyPluginAsyncTypebox<{ config: ApiConfig }> = async (app, { config }) => {
  app.put(
    '/competitions/:id',
    routeOptions(
      writers,
      'calendar',
      {
        params: IdParams,
        body: PutCompetition,
      },
      { 200: CompetitionView },
    ),
    async (request) => {
      const { body } = request
      const timeZone = body.timeZone ?? defaultTimeZone
      if (!isValidTimeZone(timeZone))
        throw problem(errors.InvalidInput, `unknown time zone "${timeZone}"`, { field: 'timeZone' })
      for (const field of ['seasonStart', 'seasonEnd'] as const) {
        const value = body[field]
        if (value !== undefined && !isValidMonthDay(value)) {
          throw problem(errors.InvalidInput, `${field} "${value}" is not a month-day like 07-01`, { field })
        }
      }
      const competition: Competition = {
        id: request.params.id,
        name: body.name,
        timeZone,
        preMinutes: body.preMinutes ?? 15,
        postMinutes: body.postMinutes ?? 30,
        ...(body.seasonStart ? { seasonStart: body.seasonStart } : {}),
        ...(body.seasonEnd ? { seasonEnd: body.seasonEnd } : {}),
      }
      const created = await putCompetition(app.db, competition)
      await app.audit(
        request,
        created ? 'competition.create' : 'competition.update',
        `competition:${competition.id}`,
        competition,
      )
      await app.recompute({ kind: 'event-change', competition: competition.id })
      return competition
    },
  )

  app.get(
    '/competitions',
    {
      schema: {
        tags: ['calendar'],
        response: { 200: Type.Object({ competitions: Type.Array(CompetitionView) }) },
      },
    },
    async () => ({
      competitions: await listCompetitions(app.db),
    }),
  )

  app.put(
    '/events/:id',
    routeOptions(
      writers,
      'calendar',
      {
        params: IdParams,
        body: PutEvent,
      },
      { 200: EventView },
    ),
    async (request) => {
      const { body } = request
      const competition = await getCompetition(app.db, body.competition)
      if (!competition)
        throw problem(errors.InvalidInput, `no competition "${body.competition}"`, { field: 'competition' })
      const kickoff = Date.parse(body.kickoff)
      const end = Date.parse(body.end)
      if (!(end > kickoff)) throw problem(errors.InvalidInput, 'end must be after kickoff', { field: 'end' })
      if (end - kickoff > maxEventMs) {
        throw problem(
          errors.InvalidInput,
          'an event lasts at most 24 hours (a longer one is almost always a date typo)',
          { field: 'end' },
        )
      }
      const event: MatchEvent = {
        id: request.params.id,
        competition: body.competition,
        kickoff,
        end,
        status: body.status ?? 'scheduled',
        ...(body.preMinutes !== undefined ? { preMinutes: body.preMinutes } : {}),
        ...(body.postMinutes !== undefined ? { postMinutes: body.postMinutes } : {}),
        ...(body.title ? { title: body.title } : {}),
      }
      const created = await putEvent(app.db, event)
      await app.audit(request, created ? 'event.create' : 'event.update', `event:${event.id}`, body)
      await app.recompute({ kind: 'event-change', event: event.id, competition: event.competition })
      return eventView(event, competition)
    },
  )

  app.get(
    '/events',
    {
      schema: {
        tags: ['calendar'],
        querystring: filterQuery('competition'),
        response: { 200: Type.Object({ events: Type.Array(EventView) }) },
      },
    },
    async (request) => {
      const competitions = new Map((await listCompetitions(app.db)).map((c) => [c.id, c]))
      const events = await listEvents(app.db, request.query)
      return { events: events.map((event) => eventView(event, competitions.get(event.competition) ?? null)) }
    },
  )

  // "events:import" is one path segment; Fastify reads "::" as a literal colon.
  app.post(
    '/events::import',
    {
      config: { ...writers, bodyTypes: ['csv', 'calendar'] },
      bodyLimit: config.listBodyLimit,
      schema: {
        tags: ['calendar'],
        description:
          'Imports many events at once from JSON ({events:[…]}), CSV or iCalendar (.ics). All or nothing.',
        querystring: filterQuery('competition'),
        response: { 200: ImportResult, ...problemResponses },
      },
    },
    async (request) => {
      const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
      const options = request.query.competition ? { competition: request.query.competition } : {}
      const parsed =
        contentType === 'application/json'
          ? readJsonEvents(request.body, options)
          : parseEventsImport(
              contentType,
              await readLimited(request.body as Readable, config.listBodyLimit),
              options,
            )
      const competitions = new Map((await listCompetitions(app.db)).map((c) => [c.id, c]))
      if (!parsed.ok) {
        const first = parsed.errors[0]
        throw problem(
          errors.InvalidInput,
          `${parsed.errors.length} event(s) could not be read${first ? `: ${first.reason}` : ''}`,
          {
            ...(first
              ? {
                  field: first.field,
                  reason: first.reason,
                  ...(first.index !== undefined ? { index: first.index } : {}),
                }
              : {}),
            errors: parsed.errors.slice(0, 100),
          },
        )
      }
      const unknown = parsed.events.findIndex((event) => !competitions.has(event.competition))
      if (unknown >= 0) {
        const event = parsed.events[unknown]!
        throw problem(errors.InvalidInput, `no competition "${event.competition}"`, {
          index: unknown,
          field: 'competition',
        })
      }
      await putEvents(app.db, parsed.events)
      await app.audit(request, 'events.import', 'events', {
        count: parsed.events.length,
        ids: parsed.events.map((e) => e.id).slice(0, 1000),
      })
      await app.recompute({ kind: 'event-change' })
      return {
        imported: parsed.events.length,
        events: parsed.events.map((event) => eventView(event, competitions.get(event.competition) ?? null)),
      }
    },
  )
}

export default calendarRoutes
