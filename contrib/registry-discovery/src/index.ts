export {
  createDiscoveryRegistry,
  type DiscoveryInstance,
  type DiscoveryRegistry,
  type DiscoveryRegistryOptions,
  INSTANCE_ID_KEY,
  instanceFromDiscovery,
  registerParams,
} from './discovery-registry.ts';
