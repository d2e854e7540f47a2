export {
  instanceFromPolaris,
  type PolarisInstance,
  type PolarisInstanceSettings,
  polarisInstancesOf,
} from './instances.ts';
export {
  createPolarisRegistry,
  type PolarisRegistry,
  type PolarisRegistryOptions,
} from './polaris-registry.ts';
