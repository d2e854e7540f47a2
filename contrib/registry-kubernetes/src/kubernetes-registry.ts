import { readFileSync } from 'node:fs';
import {
  createLogHelper,
  type Discovery,
  defaultLogger,
  type Logger,
  type Registrar,
  type ServiceInstance,
  type ServiceWatcher,
} from '@kratos/core';
import {
  createServiceWatches,
  type Fanout,
  pause,
  retryWithBackoff,
  type ServiceWatchBackend,
} from '@kratos/core/adapter';
import {
  ApiException,
  CoreV1Api,
  type Informer,
  KubeConfig,
  makeInformer,
  type ObjectCache,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from '@kubernetes/client-node';
import { checkLabelValue, instanceFromPod, LABEL_SERVICE_APP, podMetadataOf } from './pod.ts';

/** Where Kubernetes mounts the pod's namespace (Go's `ServiceAccountNamespacePath`). */
export const SERVICE_ACCOUNT_NAMESPACE_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** Options of {@link createKubernetesRegistry}. */
export interface KubernetesRegistryOptions {
  /** A KubeConfig you loaded. Default: `loadFromDefault()` (in-cluster service account, else ~/.kube/config). */
  kubeConfig?: KubeConfig;
  /**
   * The pod `register` patches. A name, or a function of the instance (several instances from one
   * process, or tests). Default: the `HOSTNAME` environment variable, as Go Kratos.
   */
  podName?: string | ((instance: ServiceInstance) => string | Promise<string>);
  /** Namespace of that pod. Default: the service-account namespace file, else `default`. */
  namespace?: string;
  /** Namespace discovery lists and watches pods in. Default: all namespaces, as Go Kratos. */
  discoveryNamespace?: string;
  /** Only pods whose `Ready` condition is `True` are discovered (Go checks the phase only). Default true. */
  requireReady?: boolean;
  /**
   * Appended to each discovered endpoint. Go derives `<scheme>://<podIP>:<port>` and nothing more;
   * `'?isSecure=false'` gives back endpoints exactly as kratos servers write them (on `grpcs://`
   * and `https://` endpoints it is appended as `isSecure=true`). Default `''`.
   */
  endpointSuffix?: string;
  /**
   * Delay before a broken watch reconnects, doubled per failure up to 8x but at most 2 s (so a
   * watch is back within about 2 s of the API server), or this delay when it is longer. Default 500 ms.
   */
  reconnectDelayMs?: number;
  /** Default: core's default logger. */
  logger?: Logger;
}

/** A Kubernetes-backed registrar and discovery. */
export interface KubernetesRegistry extends Registrar, Discovery {
  /** Number of pod watches open (one per watched service, shared by its watchers). */
  readonly activeWatches: number;
  /** Deregisters nothing; stops the watches. */
  close(): Promise<void>;
}

type PodInformer = Informer<V1Pod> & ObjectCache<V1Pod>;

/** The longest pause between attempts to open a broken watch again (unless reconnectDelayMs is longer). */
const RECONNECT_MAX_MS = 2000;

function readNamespaceFile(): string | undefined {
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE_PATH, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Go Kratos' Kubernetes registry: `register` patches the service's own pod with the
 * `kratos-service-*` labels and annotations; discovery lists and watches Running (and Ready)
 * pods labelled `kratos-service-app=<name>`.
 */
export function createKubernetesRegistry(options: KubernetesRegistryOptions = {}): KubernetesRegistry {
  const kc =
    options.kubeConfig ??
    (() => {
      const k = new KubeConfig();
      k.loadFromDefault();
      return k;
    })();
  const core = kc.makeApiClient(CoreV1Api);
  const log = createLogHelper(options.logger ?? defaultLogger());
  const requireReady = options.requireReady ?? true;
  const suffix = options.endpointSuffix ?? '';
  const baseDelay = options.reconnectDelayMs ?? 500;
  const discoveryNs = options.discoveryNamespace;
  let namespace: string | undefined = options.namespace;
  const namespaceOf = () => {
    namespace ??= readNamespaceFile() ?? 'default';
    return namespace;
  };

  const podOf = async (instance: ServiceInstance): Promise<string> => {
    const p = options.podName;
    const name = typeof p === 'function' ? await p(instance) : (p ?? process.env.HOSTNAME);
    if (!name)
      throw new Error('kubernetes registry: no pod name (set the podName option or the HOSTNAME variable)');
    return name;
  };

  const patch = async (pod: string, body: object, signal?: AbortSignal) => {
    signal?.throwIfAborted();
    await core.patchNamespacedPod(
      { name: pod, namespace: namespaceOf(), body },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
  };

  const live = (pod: V1Pod) => {
    if (pod.status?.phase !== 'Running') return false;
    if (!requireReady) return true;
    return (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  };

  /** The instances of `name` among these pods; pods with broken annotations are skipped with a warning. */
  const instancesOf = (name: string, pods: readonly V1Pod[]): ServiceInstance[] => {
    const out: ServiceInstance[] = [];
    for (const pod of pods) {
      if (pod.metadata?.labels?.[LABEL_SERVICE_APP] !== name || !live(pod)) continue;
      try {
        out.push(instanceFromPod(pod, suffix));
      } catch (e) {
        log.warnw(
          'msg',
          'skipping a pod that is not a service instance',
          'pod',
          `${pod.metadata?.namespace}/${pod.metadata?.name}`,
          'error',
          (e as Error).message,
        );
      }
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  };

  const selectorOf = (name: string) => `${LABEL_SERVICE_APP}=${name}`;
  const listPods = (name: string) =>
    discoveryNs
      ? core.listNamespacedPod({ namespace: discoveryNs, labelSelector: selectorOf(name) })
      : core.listPodForAllNamespaces({ labelSelector: selectorOf(name) });

  // One backend watch per watched service, shared by its watchers.
  const watches = createServiceWatches({
    backend: 'kubernetes',
    describe: (e) => describe(e),
    open: (name, fan) => openWatch(name, fan),
  });
  const openWatch = (name: string, fan: Fanout<ServiceInstance[]>): ServiceWatchBackend => {
    const path = discoveryNs ? `/api/v1/namespaces/${discoveryNs}/pods` : '/api/v1/pods';
    const informer: PodInformer = makeInformer(kc, path, () => listPods(name), selectorOf(name));
    let closed = false;
    let synced = false;
    let lastError: unknown;
    let lastPublished: string | undefined;
    let scheduled = false;
    const publish = () => {
      if (closed || !synced || scheduled) return;
      // A re-list fires one event per pod in one synchronous pass: publish once, after it.
      scheduled = true;
      queueMicrotask(() => {
        scheduled = false;
        if (closed) return;
        const set = instancesOf(name, informer.list());
        const json = JSON.stringify(set);
        if (json === lastPublished) return;
        lastPublished = json;
        fan.publish(set);
      });
    };
    informer.on('change', publish);
    const stopping = new AbortController();
    let restarting: Promise<void> | undefined;
    // One restart loop at a time; the informer reports each failed attempt through 'error' too.
    const restart = async () => {
      // The first attempt after a pause of its own: the server that broke the watch is likely down.
      await pause(baseDelay, stopping.signal);
      const restored = await retryWithBackoff(
        async () => {
          lastError = undefined;
          try {
            await informer.start();
          } catch (e) {
            lastError ??= e;
          }
          if (lastError !== undefined) throw lastError;
          return true;
        },
        {
          signal: stopping.signal,
          initialBackoffMs: baseDelay * 2,
          maxBackoffMs: Math.max(baseDelay, Math.min(baseDelay * 8, RECONNECT_MAX_MS)),
          // Failures are logged through the informer's 'error' event.
          onError: () => {},
        },
      );
      if (restored && !closed) {
        log.infow('msg', 'kubernetes watch restored', 'service', name);
        publish();
      }
    };
    informer.on('error', (err) => {
      lastError = err;
      if (closed || !synced) return;
      log.warnw(
        'msg',
        'kubernetes watch broken, watchers keep the last known instances',
        'service',
        name,
        'error',
        (err as Error)?.message ?? String(err),
      );
      restarting ??= restart().finally(() => {
        restarting = undefined;
      });
    });
    const ready = (async () => {
      await informer.start();
      if (lastError !== undefined) throw lastError;
      synced = true;
      const set = instancesOf(name, informer.list());
      lastPublished = JSON.stringify(set);
      fan.publish(set);
    })();
    const close = async () => {
      closed = true;
      stopping.abort();
      // The informer checks `stopped` only before it lists: stop it after a start in flight.
      await ready.catch(() => {});
      await restarting;
      await informer.stop().catch(() => {});
    };
    return { ready, stop: close };
  };

  const checkInstance = (instance: ServiceInstance) => {
    if (!instance?.id) throw new TypeError('service instance needs a non-empty id');
    if (!instance.name) throw new TypeError('service instance needs a non-empty name');
    checkLabelValue('service instance id', instance.id);
    checkLabelValue('service name', instance.name);
    checkLabelValue('service version', instance.version ?? '');
  };

  const describe = (e: unknown) =>
    e instanceof ApiException ? `HTTP ${e.code}: ${statusMessage(e.body)}` : (e as Error).message;

  return {
    async register(instance, opts) {
      checkInstance(instance);
      const body = { metadata: podMetadataOf(instance) };
      const pod = await podOf(instance);
      try {
        await patch(pod, body, opts?.signal);
      } catch (e) {
        throw new Error(
          `kubernetes register of ${instance.id} on pod ${namespaceOf()}/${pod} failed: ${describe(e)}`,
          {
            cause: e,
          },
        );
      }
    },
    async deregister(instance, opts) {
      if (!instance?.id || !instance?.name)
        throw new TypeError('service instance needs a non-empty id and name');
      const pod = await podOf(instance);
      // Go's Deregister: register an empty instance, i.e. empty labels and `{}` annotations.
      const body = {
        metadata: podMetadataOf({ id: '', name: '', version: '', metadata: {}, endpoints: [] }),
      };
      try {
        await patch(pod, body, opts?.signal);
      } catch (e) {
        // A pod that is gone carries no registration.
        if (e instanceof ApiException && e.code === 404) return;
        throw new Error(
          `kubernetes deregister of ${instance.id} on pod ${namespaceOf()}/${pod} failed: ${describe(e)}`,
          {
            cause: e,
          },
        );
      }
    },
    async getService(name, opts) {
      if (!name) throw new TypeError('getService needs a service name');
      checkLabelValue('service name', name);
      opts?.signal?.throwIfAborted();
      try {
        return instancesOf(name, (await listPods(name)).items);
      } catch (e) {
        throw new Error(`kubernetes list of pods of ${name} failed: ${describe(e)}`, { cause: e });
      }
    },
    async watch(name): Promise<ServiceWatcher> {
      if (!name) throw new TypeError('watch needs a service name');
      checkLabelValue('service name', name);
      return watches.watch(name);
    },
    get activeWatches() {
      return watches.size;
    },
    async close() {
      await watches.close();
    },
  } satisfies KubernetesRegistry;
}

function statusMessage(body: unknown): string {
  if (typeof body === 'string') {
    try {
      return statusMessage(JSON.parse(body));
    } catch {
      return body;
    }
  }
  if (body && typeof body === 'object' && 'message' in body)
    return String((body as { message: unknown }).message);
  return String(body);
}
