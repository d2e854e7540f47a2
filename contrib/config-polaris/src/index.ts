export { createPolarisSource, type PolarisSource, type PolarisSourceOptions } from './polaris-source.ts';
