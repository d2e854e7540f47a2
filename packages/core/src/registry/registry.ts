import type { Watcher } from '../watch/watcher.ts';

/** One running instance of a service, as Go Kratos registers it. */
export interface ServiceInstance {
  /** Unique per instance (the App's id). */
  id: string;
  /** Service name, e.g. `helloworld`. */
  name: string;
  version: string;
  /** Free-form labels; `weight` is read by the wrr and p2c balancers. */
  metadata: Record<string, string>;
  /** Endpoint URLs, e.g. `grpc://10.0.0.5:9000?isSecure=false`. */
  endpoints: string[];
}

/** Per-call options of registry operations. */
export interface RegistryCallOptions {
  /** Aborts the call (the App bounds registration by its registrar timeout this way). */
  signal?: AbortSignal;
}

/** Registers and deregisters this process's instance. */
export interface Registrar {
  register(instance: ServiceInstance, options?: RegistryCallOptions): Promise<void>;
  deregister(instance: ServiceInstance, options?: RegistryCallOptions): Promise<void>;
}

/** Finds instances of a service. */
export interface Discovery {
  /** The instances registered now. */
  getService(name: string, options?: RegistryCallOptions): Promise<ServiceInstance[]>;
  /** The full instance set on start and after every change. */
  watch(name: string, options?: RegistryCallOptions): Promise<ServiceWatcher>;
}

/** A watcher of one service's instance set. */
export type ServiceWatcher = Watcher<ServiceInstance[]>;
