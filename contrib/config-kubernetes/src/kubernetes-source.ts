import { createLogHelper, defaultLogger, type KeyValue, type Logger, type Source } from '@kratos/core';
import { createSharedWatchSource, formatFromKey } from '@kratos/core/adapter';
import { CoreV1Api, KubeConfig, type V1ConfigMap, Watch } from '@kubernetes/client-node';

/** Options of {@link createKubernetesSource}. */
export interface KubernetesSourceOptions {
  /** The namespace whose ConfigMaps are read (Go Kratos' `Namespace`, required there too). */
  namespace: string;
  /** Only ConfigMaps with these labels, e.g. `app=helloworld` (Go Kratos' `LabelSelector`). */
  labelSelector?: string;
  /** A field selector, e.g. `metadata.name=helloworld` (Go Kratos' `FieldSelector`). */
  fieldSelector?: string;
  /** Only the ConfigMap with this name (adds `metadata.name=<name>` to the field selector). */
  name?: string;
  /**
   * A `KubeConfig` you built, or the path of a kubeconfig file (Go Kratos' `KubeConfig`). Default:
   * `KubeConfig.loadFromDefault()` (in-cluster service account, `$KUBECONFIG` or `~/.kube/config`).
   */
  kubeConfig?: KubeConfig | string;
  /** Pause before a watch that ended with an error is opened again, at most. Default 10000 ms. */
  maxBackoffMs?: number;
  /** Where watch problems are logged. Default: core's default logger. */
  logger?: Logger;
}

/** A Kubernetes ConfigMap config source. */
export interface KubernetesSource extends Source {
  /** Number of Kubernetes watches open (one, shared by every watcher, or none). */
  readonly activeWatches: number;
  /** Stops every watcher. */
  close(): Promise<void>;
}

function errorText(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && 'body' in e) {
    const body = (e as { body?: unknown }).body;
    const message =
      typeof body === 'string'
        ? (() => {
            try {
              return (JSON.parse(body) as { message?: string }).message ?? body;
            } catch {
              return body;
            }
          })()
        : ((body as { message?: string } | undefined)?.message ?? '');
    return `HTTP ${(e as { code: number }).code}${message ? `: ${message}` : ''}`;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * Go Kratos' kubernetes config source: one document per data entry of every ConfigMap matching
 * the namespace and selectors, keyed `<namespace>/<configmap>/<data key>` with the format from the
 * data key's extension. Watchers share one Kubernetes watch; any event re-lists the full set, so an
 * entry or a ConfigMap that disappears is reported as deleted.
 */
export function createKubernetesSource(options: KubernetesSourceOptions): KubernetesSource {
  if (!options || typeof options.namespace !== 'string' || options.namespace === '') {
    throw new TypeError('createKubernetesSource needs a namespace, e.g. { namespace: "default" }');
  }
  const { namespace } = options;
  const fieldSelector =
    [options.fieldSelector, options.name ? `metadata.name=${options.name}` : undefined]
      .filter(Boolean)
      .join(',') || undefined;
  const labelSelector = options.labelSelector || undefined;
  let kc: KubeConfig;
  if (options.kubeConfig instanceof KubeConfig) kc = options.kubeConfig;
  else {
    kc = new KubeConfig();
    if (typeof options.kubeConfig === 'string') kc.loadFromFile(options.kubeConfig);
    else kc.loadFromDefault();
  }
  const api = kc.makeApiClient(CoreV1Api);
  const address = kc.getCurrentCluster()?.server ?? 'the configured cluster';
  const log = createLogHelper(options.logger ?? defaultLogger());
  const what = `ConfigMaps in namespace "${namespace}"${labelSelector ? ` with labels "${labelSelector}"` : ''}${
    fieldSelector ? ` with fields "${fieldSelector}"` : ''
  }`;

  const toKeyValues = (cm: V1ConfigMap): KeyValue[] => {
    const name = cm.metadata?.name ?? '';
    return Object.keys(cm.data ?? {})
      .sort()
      .map((dataKey) => {
        const key = `${namespace}/${name}/${dataKey}`;
        return {
          key,
          value: new TextEncoder().encode(cm.data?.[dataKey] ?? ''),
          format: formatFromKey(dataKey),
        };
      });
  };

  const load = async (): Promise<KeyValue[]> => {
    let list: Awaited<ReturnType<CoreV1Api['listNamespacedConfigMap']>>;
    try {
      list = await api.listNamespacedConfigMap({
        namespace,
        ...(labelSelector ? { labelSelector } : {}),
        ...(fieldSelector ? { fieldSelector } : {}),
      });
    } catch (e) {
      throw new Error(`kubernetes config source: cannot list ${what} from ${address}: ${errorText(e)}`, {
        cause: e,
      });
    }
    return [...list.items]
      .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))
      .flatMap(toKeyValues);
  };

  return createSharedWatchSource({
    name: `kubernetes config source for ${what}`,
    read: load,
    async start({ changed, signal, repeat }) {
      const watch = new Watch(kc);
      const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
      const query = {
        ...(labelSelector ? { labelSelector } : {}),
        ...(fieldSelector ? { fieldSelector } : {}),
      };
      let current: AbortController | undefined;
      // One watch per step: it ends cleanly when the API server closes it after a while (a new one
      // at once), or with an error (the shared watch starts the session again after a pause).
      const step = async () => {
        let ended!: (err: unknown) => void;
        const done = new Promise<unknown>((r) => {
          ended = r;
        });
        try {
          current = await watch.watch(
            path,
            query,
            () => changed(),
            (err) => ended(err),
          );
          if (signal.aborted) current.abort();
          // Anything that changed while no watch was open is read now.
          changed();
        } catch (e) {
          ended(e);
        }
        const err = await done;
        if (err && (err as { name?: string }).name !== 'AbortError') throw err;
      };
      signal.addEventListener('abort', () => current?.abort(), { once: true });
      // A failing step ends the session; the shared watch starts a new one (fresh state) after its backoff.
      return repeat(step);
    },
    maxBackoffMs: options.maxBackoffMs ?? 10_000,
    onError(phase, e) {
      log.warnw(
        'msg',
        phase === 'read'
          ? 'kubernetes config source unreachable, keeping the last good config'
          : 'kubernetes config watch failed, keeping the last good config',
        'namespace',
        namespace,
        'address',
        address,
        'error',
        phase === 'read' ? (e as Error).message : errorText(e),
      );
    },
  }) satisfies KubernetesSource;
}
