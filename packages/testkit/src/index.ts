export {
  type ApiAnswer,
  ApiCallError,
  type ApiClient,
  apiClient,
  type Method,
  orgWithToken,
  type Problem,
} from './api-client.js'
export { bridgeIntoNetns } from './bridge.js'
export { launchBrowser } from './browser.js'
export { capabilitiesRequired, kernelLabAvailable } from './capabilities.js'
export { stopChild, type TestProcess, untilPrinted } from './child.js'
export {
  connectNetns,
  createNetns,
  deleteNetns,
  netnsAvailable,
  startTcpListener,
  startTcpProber,
  type TcpProbe,
  type TcpProber,
  type TestNetns,
  tcpConnect,
  tcpProbe,
} from './netns.js'
export { makeTestPki } from './pki.js'
export {
  createProcessGroup,
  type ProcessGroup,
  type ProcessGroupOptions,
  type SpawnOptions,
} from './process-group.js'
export { freePort, type RedisOptions, startRedis, type TestRedis } from './redis.js'
export {
  type RedisProcess,
  redisCli,
  redisDataArgs,
  startRedisCluster,
  startRedisSentinel,
  type TestRedisCluster,
  type TestRedisSentinel,
} from './redis-ha.js'
export {
  nodeArgs,
  type ServiceProcess,
  type ServiceProcessOptions,
  startServiceProcess,
  waitForHttp,
} from './service-process.js'
export { type SinkMail, SMTP_SINK_SCRIPT, type SmtpSink, startSmtpSink } from './smtp.js'
export {
  type AgentOptions,
  type AgentStatus,
  type KeyFiles,
  type ServiceName,
  type Stack,
  type StackAgent,
  type StackOptions,
  type StackService,
  startStack,
} from './stack.js'
export { sleep, waitFor } from './wait.js'
