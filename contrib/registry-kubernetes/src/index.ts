export {
  createKubernetesRegistry,
  type KubernetesRegistry,
  type KubernetesRegistryOptions,
  SERVICE_ACCOUNT_NAMESPACE_PATH,
} from './kubernetes-registry.ts';
export {
  ANNOTATION_METADATA,
  ANNOTATION_PROTOCOLS,
  instanceFromPod,
  LABEL_SERVICE_APP,
  LABEL_SERVICE_ID,
  LABEL_SERVICE_VERSION,
  marshalStringMap,
  podMetadataOf,
  protocolMapOf,
} from './pod.ts';
