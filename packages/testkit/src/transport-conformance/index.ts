import { describe } from 'vitest';
import { callCases } from './calls.ts';
import { conformanceHarness } from './harness.ts';
import { lifecycleCases } from './lifecycle.ts';

export { replyHeaderCapture } from './reply-headers.ts';

import { streamCases } from './streams.ts';
import type { TransportSubject } from './subject.ts';

export type {
  ConformanceCallOptions,
  ConformanceClient,
  ConformanceHandlers,
  ConformanceReply,
  ConformanceServer,
  TransportFeatures,
  TransportSubject,
} from './subject.ts';

/**
 * Defines a vitest suite every transport must pass: unary calls, errors with their code, reason
 * and metadata, metadata both ways, deadlines, cancellation, server streaming (when the subject
 * has it) and graceful stop. The cases live by subject next to this file (`calls.ts`,
 * `streams.ts`, `lifecycle.ts`) over one harness; each test starts its own server.
 */
export function describeTransportConformance(subject: TransportSubject): void {
  describe(`transport conformance: ${subject.name}`, () => {
    const h = conformanceHarness(subject);
    describe('calls', () => callCases(h));
    if (subject.features?.streaming) describe('server streaming', () => streamCases(h));
    describe('graceful stop', () => lifecycleCases(h));
  });
}
