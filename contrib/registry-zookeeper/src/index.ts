export {
  createZookeeperRegistry,
  type ZookeeperConnection,
  type ZookeeperRegistry,
  type ZookeeperRegistryOptions,
} from './zookeeper-registry.ts';
