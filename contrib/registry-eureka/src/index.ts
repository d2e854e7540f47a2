export { createEurekaRegistry, type EurekaRegistry, type EurekaRegistryOptions } from './eureka-registry.ts';
export {
  AGENT_KEY,
  appIdOf,
  ENDPOINT_KEY,
  ENDPOINTS_KEY,
  type EurekaInstance,
  type EurekaPort,
  eurekaRecords,
  ID_KEY,
  instancesFromEureka,
  NAME_KEY,
  type RecordOptions,
  VERSION_KEY,
} from './instances.ts';
