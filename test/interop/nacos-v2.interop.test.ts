import { nacosBackend } from './lib/backends.ts';
import { describeInterop } from './lib/suite.ts';

describeInterop('v2', nacosBackend);
