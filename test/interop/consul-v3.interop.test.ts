import { consulBackend } from './lib/backends.ts';
import { describeInterop } from './lib/suite.ts';

describeInterop('v3', consulBackend);
