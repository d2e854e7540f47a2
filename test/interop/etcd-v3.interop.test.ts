import { etcdBackend } from './lib/backends.ts';
import { describeInterop } from './lib/suite.ts';

describeInterop('v3', etcdBackend);
