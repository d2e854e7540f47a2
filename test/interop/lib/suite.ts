import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from './backends.ts';
import { describeDiscovery } from './cases/discovery.ts';
import { describeErrors } from './cases/errors.ts';
import { describeGeneratedCode } from './cases/generated-code.ts';
import { describeMetadata } from './cases/metadata.ts';
import { describeRemoval } from './cases/removal.ts';
import { createInteropFixture } from './fixture.ts';
import type { GoFlavour } from './go.ts';

/**
 * The interop suite: a Go Kratos service (built against `flavour`) and kratos-ts services share
 * one registry `backend`, find each other by name and call each other over HTTP and gRPC. Its
 * cases are in `cases/`, by subject; what they share is in `fixture.ts`.
 */
export function describeInterop(flavour: GoFlavour, backend: Backend): void {
  describe(`Go Kratos ${flavour} and kratos-ts sharing ${backend.name}`, () => {
    const f = createInteropFixture(flavour, backend);
    beforeAll(() => f.setUp(), 900_000);
    afterAll(() => f.tearDown());

    it(`is built against github.com/go-kratos/kratos/${flavour}`, () => {
      expect(f.goSvc.kratos).toMatch(new RegExp(`^github\\.com/go-kratos/kratos/${flavour}@${flavour}\\.`));
    });

    describeDiscovery(f);
    describeErrors(f);
    describeMetadata(f);
    describeGeneratedCode(f);
    describeRemoval(f);
  });
}
