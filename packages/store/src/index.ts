export * from './queues.js'
export * from './revisions.js'
