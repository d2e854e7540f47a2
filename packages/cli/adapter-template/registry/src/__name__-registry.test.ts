import { describeRegistryContract } from '@kratos/testkit';
import { create__Name__Registry } from './index.ts';

// Against a real server once the stand-in is replaced: start it in a globalSetup (or use
// startServer from @kratos/testkit) and declare what the backend cannot do through the features.
describeRegistryContract('__name__', () => create__Name__Registry(), {
  watch: true,
  sharedWatch: true,
  metadata: true,
  openWatches: (registry) => registry.activeWatches,
});
