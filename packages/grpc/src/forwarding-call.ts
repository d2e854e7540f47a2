// The base of our grpc-js server interceptors: a call that forwards every operation to grpc-js'
// call and every event to the listener, and is itself the listener grpc-js reports to (one object
// per call; grpc-js' own ServerInterceptingCall allocates a closure per operation). Subclasses
// override the few methods they act on and call `super`.
import type { Metadata, ServerInterceptingCallInterface } from '@grpc/grpc-js';

export type InterceptingServerListener = Parameters<ServerInterceptingCallInterface['start']>[0];
export type PartialStatus = Parameters<ServerInterceptingCallInterface['sendStatus']>[0];
type Call = ServerInterceptingCallInterface;

export abstract class ForwardingServerCall implements ServerInterceptingCallInterface {
  protected readonly call: Call;
  protected listener: InterceptingServerListener | undefined;

  constructor(call: Call) {
    this.call = call;
  }

  start(listener: InterceptingServerListener): void {
    this.listener = listener;
    this.call.start(this);
  }
  // The listener grpc-js' call reports to.
  onReceiveMetadata(metadata: Metadata): void {
    this.listener!.onReceiveMetadata(metadata);
  }
  onReceiveMessage(message: unknown): void {
    this.listener!.onReceiveMessage(message);
  }
  onReceiveHalfClose(): void {
    this.listener!.onReceiveHalfClose();
  }
  onCancel(): void {
    this.listener!.onCancel();
  }
  // The call, as grpc-js' own.
  sendMetadata(metadata: Metadata): void {
    this.call.sendMetadata(metadata);
  }
  sendMessage(message: unknown, callback: () => void): void {
    this.call.sendMessage(message, callback);
  }
  sendStatus(status: PartialStatus): void {
    this.call.sendStatus(status);
  }
  startRead(): void {
    this.call.startRead();
  }
  getPeer(): string {
    return this.call.getPeer();
  }
  getDeadline(): ReturnType<Call['getDeadline']> {
    return this.call.getDeadline();
  }
  getHost(): string {
    return this.call.getHost();
  }
  getAuthContext(): ReturnType<Call['getAuthContext']> {
    return this.call.getAuthContext();
  }
  getConnectionInfo(): ReturnType<Call['getConnectionInfo']> {
    return this.call.getConnectionInfo();
  }
  getMetricsRecorder(): ReturnType<Call['getMetricsRecorder']> {
    return this.call.getMetricsRecorder();
  }
}
