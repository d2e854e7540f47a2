import { describeEtcdInterop } from './lib/etcd-suite.ts';

describeEtcdInterop('v3');
