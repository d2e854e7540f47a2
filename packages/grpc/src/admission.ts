// Early admission on the gRPC server: the `limiter` option decides on a call as soon as its
// request message is read (at its headers for client and bidi streams), before it is decoded and
// before the middleware chain,
// through a grpc-js server interceptor (grpc-go users put a `tap.ServerInHandle` there for the
// same purpose). Go Kratos' `ratelimit.Server()` middleware sheds later, after decoding.
import type {
  ServerInterceptingCall,
  ServerInterceptingCallInterface,
  ServerInterceptor,
} from '@grpc/grpc-js';
import { type AdmissionDone, type AdmissionLimiter, rateLimitedError } from '@kratos/core/transport';
import {
  ForwardingServerCall,
  type InterceptingServerListener,
  type PartialStatus,
} from './forwarding-call.ts';
import { isHealthCheck } from './health.ts';
import { toGrpcStatus } from './status.ts';

export type { AdmissionLimiter };

/** What a shed call is answered: RESOURCE_EXHAUSTED with Go Kratos' ErrorInfo reason RATELIMIT. */
const SHED = toGrpcStatus(rateLimitedError());
const noInfo = {};

/**
 * One call under admission. A call with one request message (unary, server streaming) is asked
 * for when that message has been read and before it is decoded: the limiter then sees admission
 * and end in the same event-loop turn as the handler's synchronous work (its turn guard and round
 * trip times stay right; asking at the headers would count the wait for the message as work). A
 * call with a request stream is asked for at its headers. Shed, the call answers RESOURCE_EXHAUSTED
 * and nothing reaches the handler; admitted, everything passes through and the end (status sent
 * or call cancelled) is reported to the limiter once. One object per call (ForwardingServerCall).
 */
class Admission extends ForwardingServerCall {
  readonly #limiter: AdmissionLimiter;
  readonly #atStart: boolean;
  #asked = false;
  #shed = false;
  #done: AdmissionDone | undefined;

  constructor(call: ServerInterceptingCallInterface, limiter: AdmissionLimiter, atStart: boolean) {
    super(call);
    this.#limiter = limiter;
    this.#atStart = atStart;
  }

  /** Asks the limiter; false (and the call answered) when it is shed. */
  #ask(): boolean {
    this.#asked = true;
    this.#done = this.#limiter.allow();
    if (this.#done !== undefined) return true;
    this.#shed = true;
    this.call.sendStatus({ code: SHED.code, details: SHED.details, metadata: SHED.metadata.clone() });
    return false;
  }

  #finish(): void {
    const done = this.#done;
    if (done === undefined) return;
    this.#done = undefined;
    done(noInfo);
  }

  override start(listener: InterceptingServerListener): void {
    if (this.#atStart && !this.#ask()) return;
    super.start(listener);
  }
  override onReceiveMessage(message: unknown): void {
    if (this.#shed || (!this.#asked && !this.#ask())) return;
    super.onReceiveMessage(message);
  }
  override onReceiveHalfClose(): void {
    if (this.#shed) return;
    super.onReceiveHalfClose();
  }
  override onCancel(): void {
    this.#finish();
    super.onCancel();
  }
  override sendStatus(s: PartialStatus): void {
    this.#finish();
    super.sendStatus(s);
  }
}

/** The grpc-js server interceptor asking `limiter` for every call but health checks. */
export function admissionInterceptor(limiter: AdmissionLimiter): ServerInterceptor {
  return (method, call) =>
    (isHealthCheck(method.path)
      ? call
      : new Admission(call, limiter, method.requestStream)) as unknown as ServerInterceptingCall;
}
