// A helloworld Greeter built the way generated code will build it: protobuf-es schemas from a
// FileDescriptorProto (here written in code) and a grpc-js ServiceDefinition whose serializers
// are protobuf-es toBinary/fromBinary.
import {
  create,
  createFileRegistry,
  type DescFile,
  type DescMessage,
  fromBinary,
  type Message,
  toBinary,
} from '@bufbuild/protobuf';
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  file_google_protobuf_timestamp,
  type Timestamp,
} from '@bufbuild/protobuf/wkt';
import type { MethodDefinition } from '@grpc/grpc-js';

const LABEL_OPTIONAL = FieldDescriptorProto_Label.OPTIONAL;
const TYPE_STRING = FieldDescriptorProto_Type.STRING;
const TYPE_MESSAGE = FieldDescriptorProto_Type.MESSAGE;
const TYPE_INT32 = FieldDescriptorProto_Type.INT32;

const proto = create(FileDescriptorProtoSchema, {
  name: 'helloworld/v1/greeter.proto',
  package: 'helloworld.v1',
  syntax: 'proto3',
  dependency: ['google/protobuf/timestamp.proto'],
  messageType: [
    {
      name: 'HelloRequest',
      field: [
        { name: 'name', number: 1, label: LABEL_OPTIONAL, type: TYPE_STRING, jsonName: 'name' },
        { name: 'delay_ms', number: 2, label: LABEL_OPTIONAL, type: TYPE_INT32, jsonName: 'delayMs' },
        { name: 'padding', number: 3, label: LABEL_OPTIONAL, type: TYPE_STRING, jsonName: 'padding' },
      ],
    },
    {
      name: 'HelloReply',
      field: [
        { name: 'message', number: 1, label: LABEL_OPTIONAL, type: TYPE_STRING, jsonName: 'message' },
        {
          name: 'at',
          number: 2,
          label: LABEL_OPTIONAL,
          type: TYPE_MESSAGE,
          typeName: '.google.protobuf.Timestamp',
          jsonName: 'at',
        },
      ],
    },
  ],
  service: [
    {
      name: 'Greeter',
      method: [
        {
          name: 'SayHello',
          inputType: '.helloworld.v1.HelloRequest',
          outputType: '.helloworld.v1.HelloReply',
        },
        {
          name: 'StreamHellos',
          inputType: '.helloworld.v1.HelloRequest',
          outputType: '.helloworld.v1.HelloReply',
          serverStreaming: true,
        },
        {
          name: 'CollectHellos',
          inputType: '.helloworld.v1.HelloRequest',
          outputType: '.helloworld.v1.HelloReply',
          clientStreaming: true,
        },
        {
          name: 'Chat',
          inputType: '.helloworld.v1.HelloRequest',
          outputType: '.helloworld.v1.HelloReply',
          clientStreaming: true,
          serverStreaming: true,
        },
      ],
    },
  ],
});

const registry = createFileRegistry(proto, (name) =>
  name === 'google/protobuf/timestamp.proto' ? file_google_protobuf_timestamp : undefined,
);

export type HelloRequest = Message<'helloworld.v1.HelloRequest'> & {
  name: string;
  delayMs: number;
  padding: string;
};
export type HelloReply = Message<'helloworld.v1.HelloReply'> & { message: string; at?: Timestamp };

export const file_helloworld_v1_greeter: DescFile = registry.getFile('helloworld/v1/greeter.proto')!;
export const HelloRequestSchema = registry.getMessage('helloworld.v1.HelloRequest') as DescMessage;
export const HelloReplySchema = registry.getMessage('helloworld.v1.HelloReply') as DescMessage;

export const helloRequest = (
  init: Partial<Pick<HelloRequest, 'name' | 'delayMs' | 'padding'>> = {},
): HelloRequest => create(HelloRequestSchema, init) as unknown as HelloRequest;
export const helloReply = (init: Partial<Pick<HelloReply, 'message' | 'at'>> = {}): HelloReply =>
  create(HelloReplySchema, init) as unknown as HelloReply;

const method = (
  name: string,
  requestStream: boolean,
  responseStream: boolean,
): MethodDefinition<HelloRequest, HelloReply> => ({
  path: `/helloworld.v1.Greeter/${name}`,
  requestStream,
  responseStream,
  requestSerialize: (m) => Buffer.from(toBinary(HelloRequestSchema, m)),
  requestDeserialize: (b) => fromBinary(HelloRequestSchema, b) as unknown as HelloRequest,
  responseSerialize: (m) => Buffer.from(toBinary(HelloReplySchema, m)),
  responseDeserialize: (b) => fromBinary(HelloReplySchema, b) as unknown as HelloReply,
  originalName: name[0]!.toLowerCase() + name.slice(1),
});

export const GreeterService = {
  SayHello: method('SayHello', false, false),
  StreamHellos: method('StreamHellos', false, true),
  CollectHellos: method('CollectHellos', true, false),
  Chat: method('Chat', true, true),
};
