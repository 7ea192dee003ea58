export { freePort, startRedis, type TestRedis } from './redis.js'
