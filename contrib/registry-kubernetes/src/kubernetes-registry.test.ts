import { readFileSync } from 'node:fs';
import type { ServiceInstance } from '@kratos/core';
import {
  checkRegistryOutage,
  describeRegistryContract,
  nextMatching,
  recordLogs,
  type StartedServer,
  silentLogger,
  startServer,
  uniqueName,
  waitFor,
} from '@kratos/testkit';
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1ContainerPort,
  type V1Pod,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesRegistry, type KubernetesRegistryOptions } from './index.ts';

const fixture = JSON.parse(readFileSync(new URL('./testdata/go-pod-metadata.json', import.meta.url), 'utf8'));

const kubeConfigOf = (server: StartedServer) => {
  const kc = new KubeConfig();
  kc.loadFromFile(server.endpoints.kubeconfig!);
  return kc;
};

const ignore409 = (e: unknown) => {
  if (!(e instanceof ApiException && e.code === 409)) throw e;
};

/** A namespace with the `default` service account (no controller-manager runs to create it). */
async function createNamespace(core: CoreV1Api): Promise<string> {
  const ns = uniqueName('kt');
  await core.createNamespace({ body: { metadata: { name: ns } } });
  await core
    .createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'default' } } })
    .catch(ignore409);
  return ns;
}

interface PodSpec {
  ports: V1ContainerPort[];
  ip?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  phase?: string;
  ready?: boolean;
}

/** Creates a pod (if missing) and plays the kubelet: phase, podIP and Ready condition in `status`. */
async function ensurePod(core: CoreV1Api, namespace: string, name: string, spec: PodSpec): Promise<void> {
  const pod: V1Pod = {
    metadata: { name, labels: spec.labels, annotations: spec.annotations },
    spec: {
      automountServiceAccountToken: false,
      containers: [{ name: 'app', image: 'registry.invalid/app:1', ports: spec.ports }],
    },
  };
  await core.createNamespacedPod({ namespace, body: pod }).catch(ignore409);
  const ip = spec.ip ?? '127.0.0.1';
  await core.patchNamespacedPodStatus(
    {
      name,
      namespace,
      body: {
        status: {
          phase: spec.phase ?? 'Running',
          podIP: ip,
          podIPs: [{ ip }],
          conditions: [{ type: 'Ready', status: spec.ready === false ? 'False' : 'True' }],
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** The pod of a contract instance: one container port per endpoint, named `<scheme>-<port>`. */
const portsOf = (instance: ServiceInstance): V1ContainerPort[] =>
  instance.endpoints.map((e) => {
    const u = new URL(e);
    const scheme = u.protocol.slice(0, -1);
    return { name: `${scheme}-${u.port}`, containerPort: Number(u.port) };
  });

/** Test wiring: every instance id gets its own pod, created on first use. */
const podPerInstance =
  (core: CoreV1Api, namespace: string): KubernetesRegistryOptions['podName'] =>
  async (instance) => {
    await ensurePod(core, namespace, instance.id, { ports: portsOf(instance) });
    return instance.id;
  };

let server: StartedServer;
let kc: KubeConfig;
let core: CoreV1Api;
let namespace: string;
beforeAll(async () => {
  server = await startServer('kubernetes');
  kc = kubeConfigOf(server);
  core = kc.makeApiClient(CoreV1Api);
  namespace = await createNamespace(core);
}, 200_000);
afterAll(async () => {
  await server?.stop();
});

describeRegistryContract(
  'kubernetes',
  () => {
    const options = {
      kubeConfig: kc,
      namespace,
      discoveryNamespace: namespace,
      podName: podPerInstance(core, namespace),
      endpointSuffix: '?isSecure=false',
      logger: silentLogger,
    };
    return { registrar: createKubernetesRegistry(options), discovery: createKubernetesRegistry(options) };
  },
  {
    sharedWatch: true,
    restart: async () => {
      await server.restart();
    },
    onRestartTimings: (t) => console.info('[restart timings] kubernetes', JSON.stringify(t)),
  },
);

describeRegistryContract(
  'kubernetes (one object)',
  () =>
    createKubernetesRegistry({
      kubeConfig: kc,
      namespace,
      podName: podPerInstance(core, namespace),
      endpointSuffix: '?isSecure=false',
      logger: silentLogger,
    }),
  { sharedWatch: true, openWatches: (r) => r.activeWatches },
);

describe('kubernetes registry: wire compatibility with Go Kratos', () => {
  const instance: ServiceInstance = {
    id: 'go-helloworld-1',
    name: 'helloworld',
    version: 'v1.0.0',
    metadata: { zone: 'a&b', region: 'sh', weight: '100' },
    endpoints: ['http://10.0.0.5:8000?isSecure=false', 'grpc://10.0.0.5:9000?isSecure=false'],
  };

  it('patches the labels and annotations Go Kratos writes, and deregister empties them', async () => {
    const ns = await createNamespace(core);
    await ensurePod(core, ns, 'helloworld-pod', {
      ip: '10.0.0.5',
      ports: [
        { name: 'http-8000', containerPort: 8000 },
        { name: 'grpc-9000', containerPort: 9000 },
      ],
      labels: { app: 'helloworld' },
    });
    const registry = createKubernetesRegistry({ kubeConfig: kc, namespace: ns, podName: 'helloworld-pod' });
    try {
      await registry.register(instance);
      const pod = await core.readNamespacedPod({ name: 'helloworld-pod', namespace: ns });
      expect(pod.metadata?.labels).toEqual({ app: 'helloworld', ...fixture.registered.labels });
      expect(pod.metadata?.annotations).toEqual(fixture.registered.annotations);
      expect(await registry.getService('helloworld')).toEqual([
        { ...instance, endpoints: ['http://10.0.0.5:8000', 'grpc://10.0.0.5:9000'] },
      ]);

      await registry.deregister(instance);
      const after = await core.readNamespacedPod({ name: 'helloworld-pod', namespace: ns });
      expect(after.metadata?.labels).toEqual({ app: 'helloworld', ...fixture.deregistered.labels });
      expect(after.metadata?.annotations).toEqual(fixture.deregistered.annotations);
      expect(await registry.getService('helloworld')).toEqual([]);
    } finally {
      await registry.close();
    }
  });

  it('discovers pods labelled by hand (Go example Deployment): protocols, port names, port protocol', async () => {
    const ns = await createNamespace(core);
    const name = uniqueName('nginx');
    await ensurePod(core, ns, 'nginx-1', {
      ip: '10.1.2.3',
      ports: [
        { containerPort: 80 },
        { name: 'grpc-x', containerPort: 9000 },
        { containerPort: 9100, protocol: 'UDP' },
      ],
      labels: {
        'kratos-service-id': '56991810-c77f-4a95-8190-393efa9c1a61',
        'kratos-service-app': name,
        'kratos-service-version': 'v3.5.0',
      },
      annotations: {
        'kratos-service-protocols': '{"80": "http"}\n',
        'kratos-service-metadata': '{"region": "sh", "zone": "sh001", "cluster": "pd"}\n',
      },
    });
    // Not discovered: pending, or running but not ready.
    await ensurePod(core, ns, 'nginx-2', {
      ports: [{ containerPort: 80 }],
      labels: { 'kratos-service-id': 'pending', 'kratos-service-app': name },
      phase: 'Pending',
    });
    await ensurePod(core, ns, 'nginx-3', {
      ports: [{ containerPort: 80 }],
      labels: { 'kratos-service-id': 'unready', 'kratos-service-app': name },
      ready: false,
    });
    const registry = createKubernetesRegistry({ kubeConfig: kc, logger: silentLogger });
    try {
      expect(await registry.getService(name)).toEqual([
        {
          id: '56991810-c77f-4a95-8190-393efa9c1a61',
          name,
          version: 'v3.5.0',
          metadata: { region: 'sh', zone: 'sh001', cluster: 'pd' },
          endpoints: ['http://10.1.2.3:80', 'grpc://10.1.2.3:9000', 'UDP://10.1.2.3:9100'],
        },
      ]);
      const lenient = createKubernetesRegistry({ kubeConfig: kc, requireReady: false, logger: silentLogger });
      expect((await lenient.getService(name)).map((i) => i.id).sort()).toEqual([
        '56991810-c77f-4a95-8190-393efa9c1a61',
        'unready',
      ]);
      await lenient.close();
    } finally {
      await registry.close();
    }
  });

  it('skips a foreign pod with broken annotations, with a warning, in getService and watch', async () => {
    const ns = await createNamespace(core);
    const name = uniqueName('svc');
    const { lines: warnings, logger } = recordLogs();
    const registry = createKubernetesRegistry({ kubeConfig: kc, namespace: ns, podName: 'good', logger });
    try {
      await ensurePod(core, ns, 'good', { ports: [{ name: 'grpc-9000', containerPort: 9000 }] });
      await ensurePod(core, ns, 'foreign', {
        ports: [{ containerPort: 80 }],
        labels: { 'kratos-service-app': name, 'kratos-service-id': 'foreign' },
        annotations: { 'kratos-service-metadata': '{not json' },
      });
      await registry.register({
        id: 'good',
        name,
        version: 'v1',
        metadata: {},
        endpoints: ['grpc://127.0.0.1:9000'],
      });
      expect((await registry.getService(name)).map((i) => i.id)).toEqual(['good']);
      expect(warnings.some((l) => l.includes(`${ns}/foreign`))).toBe(true);
      const w = await registry.watch(name);
      const first = await nextMatching(w, () => true, 3000);
      expect(first.map((i) => i.id)).toEqual(['good']);
      await w.stop();
    } finally {
      await registry.close();
    }
  });

  it('rejects ids, names and versions that cannot be label values, and a missing pod name', async () => {
    const registry = createKubernetesRegistry({
      kubeConfig: kc,
      namespace,
      podName: 'nope',
      logger: silentLogger,
    });
    const base = { id: 'a', name: 'svc', version: 'v1', metadata: {}, endpoints: [] };
    await expect(registry.register({ ...base, id: 'has space' })).rejects.toThrow(/label value/);
    await expect(registry.register({ ...base, name: 'x'.repeat(64) })).rejects.toThrow(/label value/);
    await expect(registry.register({ ...base, version: 'v1+build' })).rejects.toThrow(/label value/);
    await expect(registry.getService('bad name')).rejects.toThrow(/label value/);
    await expect(registry.register(base)).rejects.toThrow(/nope.*404/);
    const saved = process.env.HOSTNAME;
    delete process.env.HOSTNAME;
    try {
      const noPod = createKubernetesRegistry({ kubeConfig: kc, namespace, logger: silentLogger });
      await expect(noPod.register(base)).rejects.toThrow(/HOSTNAME/);
    } finally {
      if (saved !== undefined) process.env.HOSTNAME = saved;
    }
  });
});

describe('kubernetes registry: outage and recovery', () => {
  it('keeps the last good set while the API server is down and converges when it returns', async () => {
    const own = await startServer('kubernetes');
    const { lines, logger } = recordLogs();
    const okc = kubeConfigOf(own);
    const ocore = okc.makeApiClient(CoreV1Api);
    const ns = await createNamespace(ocore);
    const options = { kubeConfig: okc, namespace: ns, podName: podPerInstance(ocore, ns), logger };
    const registrar = createKubernetesRegistry(options);
    const discovery = createKubernetesRegistry({ ...options, reconnectDelayMs: 200 });
    try {
      await checkRegistryOutage({
        server: own,
        registrar,
        discovery,
        whileDown: () => waitFor(() => lines.some((l) => l.includes('watch broken')), { timeout: 20_000 }),
        convergeTimeoutMs: 60_000,
      });
    } finally {
      await registrar.close();
      await discovery.close();
      await own.stop();
    }
  }, 300_000);
});
