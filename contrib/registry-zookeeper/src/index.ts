export {
  createZookeeperRegistry,
  type ZookeeperRegistry,
  type ZookeeperRegistryOptions,
} from './zookeeper-registry.ts';
export type { ZookeeperConnection } from './zookeeper-session.ts';
