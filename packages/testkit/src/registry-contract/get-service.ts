import type { ServiceInstance } from '@kratos/core';
import { expect, it } from 'vitest';
import { waitFor } from '../wait.ts';
import type { RegistryHarness } from './harness.ts';
import type { RegistrySubject } from './types.ts';

/** getService: what a registered instance looks like when read back, and what sets of instances read back after sequences of changes. */
export function getServiceCases<S extends RegistrySubject>(h: RegistryHarness<S>): void {
  it(
    'returns a registered instance with every field intact',
    async () => {
      const svc = h.service();
      const inst = h.instance(svc, 1, {
        version: 'v2.3.4-rc.1',
        metadata: { region: 'eu-west-1', weight: '100', zone: 'a/b c', note: 'héllo ✓ "quoted"' },
      });
      await h.register(inst);
      await h.serviceIs(svc, [inst], 'registered instance visible');
      const [got] = await h.discovery().getService(svc);
      h.expectSameInstance(got, inst);
    },
    h.testTimeout,
  );

  if (h.metadataMode === true) {
    it(
      'gives empty metadata back as {}',
      async () => {
        const svc = h.service();
        const inst = h.instance(svc, 1, { metadata: {} });
        await h.register(inst);
        await h.serviceIs(svc, [inst], 'registered instance visible');
        const [got] = await h.discovery().getService(svc);
        expect(got?.metadata).toEqual({});
      },
      h.testTimeout,
    );
  }

  it(
    'is empty for a service nobody registered',
    async () => {
      expect(await h.discovery().getService(h.service('nobody'))).toEqual([]);
    },
    h.testTimeout,
  );

  it(
    'stops returning a deregistered instance',
    async () => {
      const svc = h.service();
      const a = h.instance(svc, 1);
      const b = h.instance(svc, 2);
      await h.register(a);
      await h.register(b);
      await h.serviceIs(svc, [a, b], 'both instances visible');
      await h.deregister(a);
      await h.serviceIs(svc, [b], 'deregistered instance gone');
      await h.deregister(b);
      await h.serviceIs(svc, [], 'service empty');
    },
    h.testTimeout,
  );

  it(
    'ends register/deregister sequences in the right set',
    async () => {
      const svc = h.service();
      const [a, b, c, d] = [1, 2, 3, 4].map((n) => h.instance(svc, n)) as [
        ServiceInstance,
        ServiceInstance,
        ServiceInstance,
        ServiceInstance,
      ];
      await h.register(a);
      await h.register(b);
      await h.deregister(a);
      await h.register(c);
      await h.register(d);
      await h.deregister(d);
      await h.register(a);
      await h.serviceIs(svc, [a, b, c], 'final set {a, b, c}');
    },
    h.testTimeout,
  );

  it(
    'registers concurrently without losing instances',
    async () => {
      const svc = h.service();
      const all = [1, 2, 3, 4, 5, 6].map((n) => h.instance(svc, n));
      await Promise.all(all.map(h.register));
      await h.serviceIs(svc, all, 'all six instances visible');
      await Promise.all(all.slice(0, 3).map(h.deregister));
      await h.serviceIs(svc, all.slice(3), 'three left');
    },
    h.testTimeout,
  );

  if (h.preservesId) {
    it(
      'replaces an instance registered again with the same id, never duplicates it',
      async () => {
        const svc = h.service();
        const first = h.instance(svc, 1);
        await h.register(first);
        await h.serviceIs(svc, [first], 'first registration visible');
        const second = { ...first, version: 'v1.1.0', metadata: { ...first.metadata, weight: '50' } };
        await h.register(second);
        await waitFor(
          async () => {
            const got = await h.discovery().getService(svc);
            expect(got).toHaveLength(1);
            h.expectSameInstance(got[0], second);
            return true;
          },
          { timeout: h.wait, message: 'updated instance visible' },
        );
      },
      h.testTimeout,
    );
  }

  it(
    'keeps services apart, also when one name is a prefix of the other',
    async () => {
      const svc = h.service();
      const longer = `${svc}-2`;
      const a = h.instance(svc, 1);
      const b = h.instance(longer, 1);
      await h.register(a);
      await h.register(b);
      await h.serviceIs(svc, [a], 'only a under its service');
      await h.serviceIs(longer, [b], 'only b under the longer name');
      for (const i of await h.discovery().getService(svc)) expect(i.name).toBe(svc);
      await h.deregister(b);
      await h.serviceIs(longer, [], 'longer service empty');
      await h.serviceIs(svc, [a], 'a still there');
    },
    h.testTimeout,
  );

  it(
    'hands out copies: changing a returned instance does not change the registry',
    async () => {
      const svc = h.service();
      const inst = h.instance(svc, 1);
      await h.register(inst);
      // The caller's object must not be aliased either.
      inst.metadata.region = 'changed-by-caller';
      await h.serviceIs(svc, [inst], 'instance visible');
      const [got] = await h.discovery().getService(svc);
      if (!got) throw new Error('instance missing');
      got.endpoints.push('http://10.9.9.9:1?isSecure=false');
      got.metadata.region = 'changed-by-reader';
      const [again] = await h.discovery().getService(svc);
      expect(again?.endpoints).toEqual(inst.endpoints);
      if (h.metadataMode !== false) expect(again?.metadata.region).toBe('eu-west-1');
    },
    h.testTimeout,
  );
}
