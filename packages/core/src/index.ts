export * from './season.js'
export * from './time.js'
export * from './window.js'
