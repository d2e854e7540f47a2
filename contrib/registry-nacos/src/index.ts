export {
  createNacosRegistry,
  instanceFromHost,
  type NacosConnection,
  type NacosInstanceRegistration,
  type NacosRegistry,
  type NacosRegistryOptions,
  nacosInstancesOf,
} from './nacos-registry.ts';
