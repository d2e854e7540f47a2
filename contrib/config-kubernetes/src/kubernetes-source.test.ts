import { createConfig } from '@kratos/config';
import type { KeyValue } from '@kratos/core';
import {
  describeConfigSourceContract,
  freePort,
  recordLogs,
  type StartedServer,
  silentLogger,
  startServer,
  uniqueName,
  waitFor,
} from '@kratos/testkit';
import { CoreV1Api, KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesSource } from './index.ts';

const text = (kv: KeyValue | undefined) => (kv ? new TextDecoder().decode(kv.value) : undefined);
const LABEL = 'kratos-config-test';

let kube: StartedServer;
let kc: KubeConfig;
let api: CoreV1Api;
beforeAll(async () => {
  kube = await startServer('kubernetes');
  kc = new KubeConfig();
  kc.loadFromFile(kube.endpoints.kubeconfig!);
  api = kc.makeApiClient(CoreV1Api);
});
afterAll(async () => {
  await kube?.stop();
});

const isNotFound = (e: unknown) => (e as { code?: number }).code === 404;

/** Sets (or with `undefined`, removes) one data entry of a labelled ConfigMap, creating it if needed. */
async function setEntry(name: string, label: string, dataKey: string, value: string | undefined) {
  let cm: V1ConfigMap | undefined;
  try {
    cm = await api.readNamespacedConfigMap({ name, namespace: 'default' });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  if (!cm) {
    if (value === undefined) return;
    await api.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name, labels: { [LABEL]: label } }, data: { [dataKey]: value } },
    });
    return;
  }
  const data = { ...(cm.data ?? {}) };
  if (value === undefined) delete data[dataKey];
  else data[dataKey] = value;
  await api.replaceNamespacedConfigMap({ name, namespace: 'default', body: { ...cm, data } });
}

async function deleteConfigMap(name: string) {
  try {
    await api.deleteNamespacedConfigMap({ name, namespace: 'default' });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

describeConfigSourceContract('kubernetes', async ({ namespace, initial }) => {
  if (initial.length > 0) {
    await api.createNamespacedConfigMap({
      namespace: 'default',
      body: {
        metadata: { name: namespace, labels: { [LABEL]: namespace } },
        data: Object.fromEntries(initial.map((d) => [d.name, d.value])),
      },
    });
  }
  const source = createKubernetesSource({
    namespace: 'default',
    labelSelector: `${LABEL}=${namespace}`,
    kubeConfig: kc,
    logger: silentLogger,
  });
  return {
    source,
    set: (name, value) => setEntry(namespace, namespace, name, value),
    delete: (name) => setEntry(namespace, namespace, name, undefined),
    keyFor: (name) => `default/${namespace}/${name}`,
    close: async () => {
      await source.close();
      await deleteConfigMap(namespace);
    },
  };
});

describe('kubernetes config source', () => {
  it('keys entries <namespace>/<configmap>/<key> like Go Kratos, and selects by name', async () => {
    const label = uniqueName('kt');
    const [a, b] = [`${label}-a`, `${label}-b`];
    await setEntry(a, label, 'config.yaml', 'data:\n  greeting: Hola\n');
    await setEntry(b, label, 'db.json', '{"x":1}');
    const all = createKubernetesSource({
      namespace: 'default',
      labelSelector: `${LABEL}=${label}`,
      kubeConfig: kube.endpoints.kubeconfig!,
    });
    const one = createKubernetesSource({ namespace: 'default', name: b, kubeConfig: kc });
    try {
      expect((await all.load()).map((kv) => [kv.key, kv.format, text(kv)])).toEqual([
        [`default/${a}/config.yaml`, 'yaml', 'data:\n  greeting: Hola\n'],
        [`default/${b}/db.json`, 'json', '{"x":1}'],
      ]);
      expect((await one.load()).map((kv) => kv.key)).toEqual([`default/${b}/db.json`]);
    } finally {
      await all.close();
      await one.close();
      await deleteConfigMap(a);
      await deleteConfigMap(b);
    }
  });

  it('with createConfig: a malformed update keeps the last good config, a deleted ConfigMap is reported', async () => {
    const name = uniqueName('kt');
    await setEntry(name, name, 'config.yaml', 'data:\n  greeting: Hola\n');
    const { lines: warnings, logger } = recordLogs();
    const source = createKubernetesSource({
      namespace: 'default',
      name,
      kubeConfig: kc,
      logger: silentLogger,
    });
    const config = createConfig({ sources: [source], logger });
    try {
      await config.load();
      const deleted: boolean[] = [];
      config.watch('data.greeting', (_v, c) => deleted.push(c.deleted));
      await setEntry(name, name, 'config.yaml', 'data:\n  greeting: [unclosed\n');
      await waitFor(() => warnings.some((w) => w.includes('update rejected') && w.includes(name)), {
        timeout: 5000,
      });
      expect(config.value('data.greeting').string()).toBe('Hola');
      await deleteConfigMap(name);
      await waitFor(() => deleted.includes(true), { timeout: 5000 });
      expect(config.value('data.greeting').exists).toBe(false);
    } finally {
      await config.close();
      await source.close();
      await deleteConfigMap(name);
    }
  });

  it('fails load with an error naming the namespace and the server when it is unreachable', async () => {
    const dead = new KubeConfig();
    const server = `https://127.0.0.1:${await freePort()}`;
    dead.loadFromOptions({
      clusters: [{ name: 'dead', server, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'x' }],
      contexts: [{ name: 'dead', cluster: 'dead', user: 'u' }],
      currentContext: 'dead',
    });
    const source = createKubernetesSource({ namespace: 'default', kubeConfig: dead, logger: silentLogger });
    await expect(source.load()).rejects.toThrow(
      `kubernetes config source: cannot list ConfigMaps in namespace "default" from ${server}`,
    );
  });

  it('rejects a missing namespace at construction', () => {
    expect(() => createKubernetesSource({ namespace: '', kubeConfig: kc })).toThrow(/needs a namespace/);
  });
});

// Last in the file: it stops and restarts the shared API server (objects are kept in its etcd).
describe('kubernetes config source: outage and recovery', () => {
  it('keeps the last good config while the API server is down and follows it again after a restart', async () => {
    const name = uniqueName('kt');
    await setEntry(name, name, 'config.yaml', 'data:\n  greeting: before\n');
    const { lines: warnings, logger } = recordLogs();
    const source = createKubernetesSource({ namespace: 'default', name, kubeConfig: kc, logger });
    const config = createConfig({ sources: [source], logger: silentLogger });
    try {
      await config.load();
      await kube.stop();
      await waitFor(() => warnings.some((w) => w.includes('keeping the last good config')), {
        timeout: 20_000,
      });
      expect(config.value('data.greeting').string()).toBe('before');
      await kube.restart();
      await waitFor(
        async () => {
          await setEntry(name, name, 'config.yaml', 'data:\n  greeting: after\n');
          return true;
        },
        { timeout: 30_000, interval: 500, message: 'API server accepting writes again' },
      );
      await waitFor(() => config.value('data.greeting').string('') === 'after', { timeout: 30_000 });
    } finally {
      await config.close();
      await source.close();
      await deleteConfigMap(name).catch(() => {});
    }
  }, 120_000);
});
