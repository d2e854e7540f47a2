import type { Metadata } from '@kratos/core';
import {
  createTraceState,
  isSpanContextValid,
  type Context as OtelContext,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';
// version "-" trace-id "-" parent-id "-" trace-flags, lower-case hex (W3C Trace Context, level 1).
const TRACEPARENT_FORMAT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Reads request headers (HTTP headers or gRPC metadata, both mapped to core Metadata). */
export const metadataGetter: TextMapGetter<Metadata> = {
  keys: (carrier) => [...carrier.keys()],
  get: (carrier, key) => {
    const values = carrier.values(key);
    return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
  },
};

/** Writes request headers of an outgoing call. */
export const metadataSetter: TextMapSetter<Metadata> = {
  set: (carrier, key, value) => {
    carrier.set(key, value);
  },
};

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Parses a `traceparent` header; undefined for anything malformed (wrong length or case, all-zero
 * ids, version `ff`, trailing data on version 00), so a bad header starts a new trace instead of
 * failing the request.
 */
export function parseTraceparent(header: string): SpanContext | undefined {
  const m = TRACEPARENT_FORMAT.exec(header.trim());
  if (m === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  const sc: SpanContext = { traceId, spanId, traceFlags: Number.parseInt(flags, 16) & 0xff, isRemote: true };
  return isSpanContextValid(sc) ? sc : undefined;
}

/**
 * W3C Trace Context (`traceparent` + `tracestate`), written here so the middleware needs nothing
 * beyond `@opentelemetry/api`. Pass `propagation` from the api (or any propagator) to use the
 * globally registered one instead.
 */
export const w3cTraceContextPropagator: TextMapPropagator = {
  inject(context: OtelContext, carrier: unknown, setter: TextMapSetter) {
    const sc = trace.getSpanContext(context);
    if (sc === undefined || !isSpanContextValid(sc)) return;
    const flags = (sc.traceFlags & 0xff).toString(16).padStart(2, '0');
    setter.set(carrier, TRACEPARENT, `00-${sc.traceId}-${sc.spanId}-${flags}`);
    const state = sc.traceState?.serialize();
    if (state) setter.set(carrier, TRACESTATE, state);
  },
  extract(context: OtelContext, carrier: unknown, getter: TextMapGetter) {
    const header = first(getter.get(carrier, TRACEPARENT));
    if (header === undefined) return context;
    const sc = parseTraceparent(header);
    if (sc === undefined) return context;
    const state = getter.get(carrier, TRACESTATE);
    if (state !== undefined && state.length > 0) {
      try {
        sc.traceState = createTraceState(Array.isArray(state) ? state.join(',') : state);
      } catch {
        // A malformed tracestate is dropped; the traceparent still holds.
      }
    }
    return trace.setSpanContext(context, sc);
  },
  fields: () => [TRACEPARENT, TRACESTATE],
};
