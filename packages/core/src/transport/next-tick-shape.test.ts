import { executionAsyncResource } from 'node:async_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { pinNextTickShape, pinnedTickObject } from './next-tick-shape.ts';

// V8 intrinsics, enabled for this test file only: %HaveSameMap tells whether two objects share a
// hidden class, which is what the pin is for.
setFlagsFromString('--allow-natives-syntax');
setFlagsFromString('--expose-gc');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
const gc = runInNewContext('gc') as () => void;

function nextTickResource(): Promise<object> {
  return new Promise((resolve) => process.nextTick(() => resolve(executionAsyncResource())));
}

describe('pinNextTickShape', () => {
  it("holds one of nextTick's own queue entries, which keeps the hidden class of later ones through full GCs", async () => {
    expect(pinnedTickObject()).toBeUndefined();
    await pinNextTickShape();
    const pinned = pinnedTickObject();
    expect(pinned).toBeDefined();
    for (let i = 0; i < 4; i++) gc();
    const later = await nextTickResource();
    expect(later).not.toBe(pinned);
    expect(haveSameMap(pinned as object, later)).toBe(true);
    // Another async resource (an Immediate) has another map: the check can fail.
    const immediate = await new Promise<object>((resolve) =>
      setImmediate(() => resolve(executionAsyncResource())),
    );
    expect(haveSameMap(pinned as object, immediate)).toBe(false);
  });

  it('is idempotent', async () => {
    const first = pinnedTickObject();
    await pinNextTickShape();
    await pinNextTickShape();
    expect(pinnedTickObject()).toBe(first);
  });
});
