export {
  type ConsulConnection,
  type ConsulSource,
  type ConsulSourceOptions,
  createConsulSource,
} from './consul-source.ts';
