/**
 * The deployment files are checked, not trusted: the Kubernetes manifests against the Kubernetes
 * API schemas (kubernetes-models bundles them, so this runs offline), the Compose file by Debian's
 * `docker-compose config` (no daemon needed), and both for what Offside needs of them — probes,
 * disruption budgets, Redis persistence and Sentinel, who may reach Redis, and entry points that
 * the build produces.
 */
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { parseRedisUrl } from '@offside/store'
import * as apps from 'kubernetes-models/apps/v1'
import * as networking from 'kubernetes-models/networking.k8s.io/v1'
import * as policy from 'kubernetes-models/policy/v1'
import * as core from 'kubernetes-models/v1'
import t from 'tap'
import { parse, parseAllDocuments } from 'yaml'

const root = resolve(import.meta.dirname, '../..')
const run = promisify(execFile)

type Manifest = {
  apiVersion: string
  kind: string
  metadata: { name: string; labels?: Record<string, string> }
  // biome-ignore lint/suspicious/noExplicitAny: manifests are free-form YAML until validated
  spec?: any
  data?: Record<string, string>
}

const models: Record<string, Record<string, new (data: never) => { validate(): void }>> = {
  v1: core as never,
  'apps/v1': apps as never,
  'policy/v1': policy as never,
  'networking.k8s.io/v1': networking as never,
}

function manifests(): Manifest[] {
  const dir = join(root, 'deploy/kubernetes')
  return ['offside.yaml', 'redis.yaml'].flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`)
      return doc.toJSON() as Manifest
    }),
  )
}

const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value)

t.test('every Kubernetes manifest is valid against the Kubernetes API schema of its kind', async (t) => {
  const all = manifests()
  t.ok(all.length >= 15, `${all.length} objects`)
  for (const manifest of all) {
    const Model = models[manifest.apiVersion]?.[manifest.kind]
    if (!Model) {
      t.fail(`no schema for ${manifest.apiVersion} ${manifest.kind}`)
      continue
    }
    t.doesNotThrow(
      () => new Model(manifest as never).validate(),
      `${manifest.kind} ${manifest.metadata.name}`,
    )
  }
  // The validator really checks: a port given as a word is refused.
  const broken = { ...all.find((m) => m.kind === 'Deployment') } as Manifest
  broken.spec = structuredClone(broken.spec)
  broken.spec.template.spec.containers[0].ports[0].containerPort = 'eighty'
  t.throws(() => new apps.Deployment(broken as never).validate(), /containerPort must be integer/)
})

t.test(
  'each service is a Deployment running its built dist/server.js, probed on /healthz and /readyz, behind a Service and a PodDisruptionBudget',
  async (t) => {
    const all = manifests()
    const deployments = all.filter((m) => m.kind === 'Deployment')
    t.same(
      deployments.map((d) => d.metadata.name).sort(),
      ['offside-api', 'offside-dashboard', 'offside-gateway', 'offside-scheduler'],
      'one Deployment per service',
    )
    for (const deployment of deployments) {
      const name = deployment.metadata.name
      const labels = deployment.spec.template.metadata.labels
      const [container] = deployment.spec.template.spec.containers
      const entry = container.command[1] as string
      const service = name.replace('offside-', '')
      t.equal(entry, `services/${service}/dist/server.js`, `${name} runs its built entry point`)
      t.ok(
        existsSync(join(root, 'services', service, 'src/server.ts')),
        `${name}: the build makes ${entry} from src/server.ts`,
      )
      const port = container.ports[0].containerPort
      t.match(container.readinessProbe, { httpGet: { path: '/readyz', port } }, `${name} is ready on /readyz`)
      t.match(
        container.livenessProbe,
        { httpGet: { path: '/healthz', port } },
        `${name} is alive on /healthz`,
      )
      t.ok(
        all.some((m) => m.kind === 'Service' && matches(m.spec.selector, labels)),
        `${name} is behind a Service`,
      )
      t.ok(
        all.some((m) => m.kind === 'PodDisruptionBudget' && matches(m.spec.selector.matchLabels, labels)),
        `${name} has a PodDisruptionBudget`,
      )
      t.equal(labels['offside.io/redis-client'], 'true', `${name} is labelled as a Redis client`)
      t.same(
        container.envFrom,
        [{ configMapRef: { name: 'offside-config' } }],
        `${name} takes the shared ConfigMap`,
      )
    }
  },
)

t.test(
  'Redis runs with persistence and Sentinel, the services reach it through Sentinel, and only they may connect',
  async (t) => {
    const all = manifests()
    const redis = all.find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'offside-redis')
    if (!redis) throw new Error('no Redis StatefulSet')
    t.ok(redis.spec.replicas >= 3, 'three Redis pods (a primary, replicas, a Sentinel quorum)')
    t.ok(redis.spec.volumeClaimTemplates?.length > 0, 'each with a persistent volume')
    const containers = redis.spec.template.spec.containers.map((c: { name: string }) => c.name)
    t.same(containers, ['redis', 'sentinel'], 'a redis-server and a Sentinel in each pod')
    const redisConfig = all.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'offside-redis')
    t.match(redisConfig?.data?.['redis.conf'], /appendonly yes/, 'AOF on')
    t.match(redisConfig?.data?.['redis.conf'], /maxmemory-policy noeviction/, 'nothing evicted')
    t.match(redisConfig?.data?.['sentinel.conf'], /sentinel monitor offside \S+ 6379 2/, 'quorum 2 of 3')

    const config = all.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'offside-config')
    const topology = parseRedisUrl(`redis-sentinel://${config?.data?.OFFSIDE_REDIS_NODES ?? ''}`)
    t.equal(topology.kind, 'sentinel', 'the services use the Sentinel topology')
    if (topology.kind === 'sentinel') {
      t.equal(topology.name, 'offside', 'of the master the Sentinels monitor')
      t.ok(
        topology.sentinels.every((s) => s.host.endsWith('.offside-redis') && s.port === 26379),
        'on the Redis pods',
      )
      t.equal(topology.durability.replicas, 1, 'acknowledging a change once a replica holds it')
    }

    const policies = all.filter((m) => m.kind === 'NetworkPolicy')
    const guard = policies.find((p) =>
      matches(p.spec.podSelector.matchLabels, redis.spec.template.metadata.labels),
    )
    if (!guard) throw new Error('no NetworkPolicy selects the Redis pods')
    t.same(guard.spec.policyTypes, ['Ingress'], 'it restricts who connects')
    const from = guard.spec.ingress.flatMap((rule: { from: { podSelector: { matchLabels: object } }[] }) =>
      rule.from.map((peer) => peer.podSelector.matchLabels),
    )
    t.same(
      from,
      [{ 'offside.io/redis-client': 'true' }, { app: 'offside-redis' }],
      'only the services and Redis itself may connect',
    )
    const clients = all.filter(
      (m) => m.spec?.template?.metadata?.labels?.['offside.io/redis-client'] === 'true',
    )
    t.same(
      clients.map((m) => m.metadata.name).sort(),
      ['offside-api', 'offside-dashboard', 'offside-gateway', 'offside-scheduler'],
      'and the services are exactly the labelled pods',
    )
  },
)

t.test('docker-compose accepts the Compose file, which runs every built service against Redis', async (t) => {
  const file = join(root, 'deploy/compose/compose.yaml')
  const passwords = Object.fromEntries(
    ['API', 'SCHEDULER', 'GATEWAY', 'DASHBOARD'].map((user) => [
      `OFFSIDE_REDIS_${user}_PASSWORD`,
      `pw-${user}`,
    ]),
  )
  const env = { ...process.env, ...passwords, OFFSIDE_ADMIN_TOKEN: 'adm_compose_check_0123456789' }
  const { stdout } = await run('docker-compose', ['-p', 'offside', '-f', file, 'config'], { env })
  const config = parse(stdout) as {
    services: Record<string, { command?: string[]; environment?: Record<string, string> }>
  }
  t.same(Object.keys(config.services).sort(), ['api', 'dashboard', 'gateway', 'redis', 'scheduler'])
  for (const name of ['api', 'scheduler', 'gateway', 'dashboard']) {
    const service = config.services[name]
    t.same(
      service?.command,
      ['node', `services/${name}/dist/server.js`],
      `${name} runs its built entry point`,
    )
    t.equal(
      service?.environment?.OFFSIDE_REDIS_URL,
      `redis://${name}:pw-${name.toUpperCase()}@redis:6379`,
      `${name} signs in to the compose Redis as its own user`,
    )
    t.equal(
      Boolean(service?.environment?.OFFSIDE_SIGNING_KEY_FILE),
      name === 'gateway',
      `${name}: the push key only if it is the gateway`,
    )
  }
  t.match(
    (config.services.redis as { command?: string[] }).command,
    ['redis-server', String, '--aclfile', String],
    'Redis loads the ACL users',
  )
  const refused = await run('docker-compose', ['-p', 'offside', '-f', file, 'config'], {
    env: { ...process.env, ...passwords, OFFSIDE_ADMIN_TOKEN: '' },
  }).then(
    () => '',
    (err: { stderr: string }) => err.stderr,
  )
  t.match(refused, /set a bootstrap admin token/, 'and refuses to run without an admin token')
})

t.test(
  'on Kubernetes each service signs in to Redis as its own user, and only the gateway mounts the push key',
  async (t) => {
    const all = manifests()
    const config = all.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'offside-config')
    t.notOk(config?.data?.OFFSIDE_REDIS_URL, 'no shared Redis URL (it would be one user for all)')
    t.notOk(config?.data?.OFFSIDE_SIGNING_KEY_FILE, 'no shared signing key setting')
    for (const deployment of all.filter((m) => m.kind === 'Deployment')) {
      const service = deployment.metadata.name.replace('offside-', '')
      const [container] = deployment.spec.template.spec.containers
      const env = Object.fromEntries(
        (container.env as { name: string; value?: string; valueFrom?: unknown }[]).map((e) => [e.name, e]),
      )
      t.match(
        env.OFFSIDE_REDIS_PASSWORD?.valueFrom,
        { secretKeyRef: { name: 'offside-redis-users', key: `${service}.password` } },
        `${service} reads its own Redis password only`,
      )
      const url = (env.OFFSIDE_REDIS_URL?.value ?? '')
        .replace('$(OFFSIDE_REDIS_PASSWORD)', 'pw')
        .replace('$(OFFSIDE_REDIS_NODES)', config?.data?.OFFSIDE_REDIS_NODES ?? '')
      t.match(
        parseRedisUrl(url),
        { kind: 'sentinel', username: service },
        `${service} signs in as "${service}"`,
      )
      const mounted = (deployment.spec.template.spec.volumes ?? []).flatMap(
        (v: { secret?: { items?: { key: string }[] } }) => v.secret?.items?.map((i) => i.key) ?? [],
      )
      t.equal(
        mounted.includes('signing-key.pem'),
        service === 'gateway',
        `${service}: push key only if gateway`,
      )
      t.equal(
        mounted.includes('checkpoint-key.pem'),
        service === 'scheduler',
        `${service}: checkpoint key only if scheduler`,
      )
    }
    const redisConfig = all.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'offside-redis')
    t.match(redisConfig?.data?.['redis.conf'], /aclfile \/acl\/users\.acl/, 'Redis loads the ACL file')
    t.match(redisConfig?.data?.['redis.conf'], /masteruser replica/, 'replicas sync as the replica user')
    t.match(
      redisConfig?.data?.['sentinel.conf'],
      /sentinel auth-user offside sentinel/,
      'Sentinels sign in too',
    )
  },
)
