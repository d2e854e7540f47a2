export {
  createNacosSource,
  type NacosConfigClientLike,
  type NacosSource,
  type NacosSourceOptions,
} from './nacos-source.ts';
