// Generates the kratos-ts contenders' code into bench/.gen: the CLI template's greeter.proto and
// bench/proto's server-streaming service, protoc-gen-es messages + @kratos/protoc-gen-kratos http
// and grpc, relative imports ending in .ts so Node runs them as they are.
// Run: node --conditions=kratos-source bench/lib/generate.ts
import { fileURLToPath } from 'node:url';
import { generate } from '@kratos/protoc-gen-kratos';

const bench = fileURLToPath(new URL('..', import.meta.url));
await generate({
  protoDir: `${bench}../packages/cli/template/api`,
  files: ['helloworld/v1/greeter.proto'],
  outDir: `${bench}.gen`,
  plugins: ['es', 'http', 'grpc'],
  importExtension: 'ts',
});
await generate({
  protoDir: `${bench}proto`,
  files: ['benchstream/v1/stream.proto'],
  outDir: `${bench}.gen`,
  plugins: ['es', 'grpc'],
  importExtension: 'ts',
});
