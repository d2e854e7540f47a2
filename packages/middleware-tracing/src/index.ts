export {
  metadataGetter,
  metadataSetter,
  parseTraceparent,
  w3cTraceContextPropagator,
} from './trace-context.ts';
export {
  clientTracing,
  SPAN_KEY,
  serverTracing,
  spanFromContext,
  spanIdValuer,
  type TracingOptions,
  traceIdValuer,
} from './tracing.ts';
