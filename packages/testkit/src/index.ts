export {
  connectNetns,
  createNetns,
  netnsAvailable,
  startTcpListener,
  type TestNetns,
  tcpConnect,
} from './netns.js'
export { freePort, startRedis, type TestRedis } from './redis.js'
