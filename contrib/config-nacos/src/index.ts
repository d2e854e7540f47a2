export { createNacosSource, type NacosSource, type NacosSourceOptions } from './nacos-source.ts';
