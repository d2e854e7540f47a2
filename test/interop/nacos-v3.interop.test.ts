import { nacosBackend } from './lib/backends.ts';
import { describeInterop } from './lib/suite.ts';

describeInterop('v3', nacosBackend);
