export { createEtcdSource, type EtcdSource, type EtcdSourceOptions } from './etcd-source.ts';
