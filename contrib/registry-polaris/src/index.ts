export {
  createPolarisRegistry,
  instanceFromPolaris,
  type PolarisInstance,
  type PolarisInstanceSettings,
  type PolarisRegistry,
  type PolarisRegistryOptions,
  polarisInstancesOf,
} from './polaris-registry.ts';
