// The agreed @kratos/http API that generated code uses, for type-checking generated code while
// packages/http is being written. Used only when packages/http/src/index.ts does not exist yet.
declare module '@kratos/http' {
  import type { DescMessage } from '@bufbuild/protobuf';
  import type { CallOptions, Context } from '@kratos/core';

  export interface HttpRouteDesc {
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | (string & {});
    path: string;
    operation: string;
    input: DescMessage;
    output: DescMessage;
    body?: string;
    responseBody?: string;
  }
  export type HttpHandler<I, O> = (ctx: Context, req: I) => Promise<O>;
  export interface HttpServer {
    route<I, O>(desc: HttpRouteDesc, handler: HttpHandler<I, O>): void;
  }
  export interface HttpClient {
    invoke<I, O>(desc: HttpRouteDesc, req: I, options?: CallOptions): Promise<O>;
    close(): Promise<void>;
  }
}
