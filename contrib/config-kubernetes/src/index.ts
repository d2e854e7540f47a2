export {
  createKubernetesSource,
  type KubernetesSource,
  type KubernetesSourceOptions,
} from './kubernetes-source.ts';
