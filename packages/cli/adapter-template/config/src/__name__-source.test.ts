import { describeConfigSourceContract } from '@kratos/testkit';
import { create__Name__Source } from './index.ts';

// Against a real server once the stand-in is replaced: scope each test to `namespace` (a key
// prefix, a group) so tests do not see each other's documents.
describeConfigSourceContract('__name__', ({ initial }) => {
  const source = create__Name__Source({
    prefix: '',
    initial: initial.map((d) => ({ key: d.name, value: d.value })),
  });
  return {
    source,
    set: (name, value) => source.set(name, value),
    delete: (name) => source.delete(name),
    close: () => source.close(),
  };
});
