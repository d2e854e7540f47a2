import { packageConfig } from '../../tsup.config.base.ts';

// Three entries sharing one copy of the code (splitting), so classes such as InvalidInstanceError
// are the same from every entry.
export default packageConfig({
  entry: ['src/index.ts', 'src/adapter.ts', 'src/transport.ts'],
  splitting: true,
});
