import { expect, it } from 'vitest';
import type { RegistryHarness } from './harness.ts';
import type { RegistrySubject } from './types.ts';

/** Bad input: refused with a rejected promise naming the field, never a synchronous throw. */
export function badInputCases<S extends RegistrySubject>(h: RegistryHarness<S>): void {
  const rejection = (call: () => Promise<unknown>) => {
    let p: Promise<unknown> | undefined;
    expect(() => {
      p = call();
    }, 'must reject, not throw synchronously').not.toThrow();
    return p as Promise<unknown>;
  };

  it('rejects register without an id', async () => {
    const inst = h.instance(h.service(), 1, { id: '' });
    await expect(rejection(() => h.registrar().register(inst))).rejects.toThrow(/\bid\b/i);
  });

  it('rejects register without a name', async () => {
    const inst = h.instance(h.service(), 1, { name: '' });
    await expect(rejection(() => h.registrar().register(inst))).rejects.toThrow(/name/i);
  });

  it(
    'resolves deregister of an instance that was never registered',
    async () => {
      await h.registrar().deregister(h.instance(h.service('never'), 1));
    },
    h.testTimeout,
  );

  if (h.watchOn) {
    it('rejects watch of an empty service name', async () => {
      await expect(rejection(() => h.discovery().watch(''))).rejects.toThrow();
    });
  }
}
