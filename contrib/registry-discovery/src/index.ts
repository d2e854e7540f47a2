export {
  createDiscoveryRegistry,
  type DiscoveryRegistry,
  type DiscoveryRegistryOptions,
} from './discovery-registry.ts';
export {
  type DiscoveryInstance,
  INSTANCE_ID_KEY,
  instanceFromDiscovery,
  registerParams,
} from './instances.ts';
