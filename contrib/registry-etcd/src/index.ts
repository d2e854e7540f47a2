export { createEtcdRegistry, type EtcdRegistry, type EtcdRegistryOptions } from './etcd-registry.ts';
