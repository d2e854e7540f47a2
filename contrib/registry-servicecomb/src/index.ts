export { ServiceCombError } from './client.ts';
export {
  APP_ID_KEY,
  ENV_KEY,
  instanceFromServiceComb,
  instanceRecord,
  microService,
  type ServiceCombInstance,
  type ServiceCombMicroService,
  serviceCombVersion,
  VERSION_KEY,
} from './instances.ts';
export {
  createServiceCombRegistry,
  type ServiceCombRegistry,
  type ServiceCombRegistryOptions,
} from './servicecomb-registry.ts';
