export {
  type ConsulClient,
  type ConsulConnection,
  type ConsulRegistry,
  type ConsulRegistryOptions,
  createConsulRegistry,
} from './consul-registry.ts';
export {
  type ConsulServiceEntry,
  instanceFromEntry,
  type RegistrationSettings,
  serviceRegistrationJson,
} from './service-registration.ts';
