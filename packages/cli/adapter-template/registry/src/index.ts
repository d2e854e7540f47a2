export {
  type __Name__Registry,
  type __Name__RegistryOptions,
  create__Name__Registry,
} from './__name__-registry.ts';
