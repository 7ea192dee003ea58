export { capabilitiesRequired, kernelLabAvailable } from './capabilities.js'
export {
  connectNetns,
  createNetns,
  deleteNetns,
  netnsAvailable,
  startTcpListener,
  type TestNetns,
  tcpConnect,
} from './netns.js'
export { freePort, startRedis, type TestRedis } from './redis.js'
export {
  type ServiceProcess,
  type ServiceProcessOptions,
  startServiceProcess,
  waitForHttp,
} from './service-process.js'
