// A test proto with buf.validate rules, built in code (no protoc, no validate.proto needed: the
// buf.validate descriptors come from @bufbuild/protovalidate):
//
//   syntax = "proto3"; package users.v1;
//   import "buf/validate/validate.proto";
//   message Address { string city = 1 [(buf.validate.field).string.min_len = 1]; }
//   message CreateUserRequest {
//     string name = 1 [(buf.validate.field).string.min_len = 3];
//     string email = 2 [(buf.validate.field).string.email = true];
//     int32 age = 3 [(buf.validate.field).int32 = { gte: 0, lte: 150 }];
//     repeated string tags = 4 [(buf.validate.field).repeated.items.string.max_len = 5];
//     Address address = 5;
//   }
//   message UserReply { string name = 1; }
//   service Users { rpc Create(CreateUserRequest) returns (UserReply) { option (google.api.http) = { post: "/v1/users" body: "*" }; } }
import {
  create,
  createFileRegistry,
  type DescMessage,
  fromBinary,
  type Message,
  type Registry,
  setExtension,
  toBinary,
} from '@bufbuild/protobuf';
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  type FieldOptions,
  FieldOptionsSchema,
  FileDescriptorProtoSchema,
} from '@bufbuild/protobuf/wkt';
import {
  FieldRulesSchema,
  field,
  file_buf_validate_validate,
} from '@bufbuild/protovalidate/gen/buf/validate/validate_pb.js';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

const { STRING, INT32, MESSAGE } = FieldDescriptorProto_Type;
const { OPTIONAL, REPEATED } = FieldDescriptorProto_Label;

function rules(init: Parameters<typeof create<typeof FieldRulesSchema>>[1]): FieldOptions {
  const options = create(FieldOptionsSchema);
  setExtension(options, field, create(FieldRulesSchema, init));
  return options;
}

const file = create(FileDescriptorProtoSchema, {
  name: 'users/v1/users.proto',
  package: 'users.v1',
  syntax: 'proto3',
  dependency: ['buf/validate/validate.proto'],
  messageType: [
    {
      name: 'Address',
      field: [
        {
          name: 'city',
          number: 1,
          label: OPTIONAL,
          type: STRING,
          jsonName: 'city',
          options: rules({ type: { case: 'string', value: { minLen: 1n } } }),
        },
      ],
    },
    {
      name: 'CreateUserRequest',
      field: [
        {
          name: 'name',
          number: 1,
          label: OPTIONAL,
          type: STRING,
          jsonName: 'name',
          options: rules({ type: { case: 'string', value: { minLen: 3n } } }),
        },
        {
          name: 'email',
          number: 2,
          label: OPTIONAL,
          type: STRING,
          jsonName: 'email',
          options: rules({ type: { case: 'string', value: { wellKnown: { case: 'email', value: true } } } }),
        },
        {
          name: 'age',
          number: 3,
          label: OPTIONAL,
          type: INT32,
          jsonName: 'age',
          options: rules({
            type: {
              case: 'int32',
              value: { greaterThan: { case: 'gte', value: 0 }, lessThan: { case: 'lte', value: 150 } },
            },
          }),
        },
        {
          name: 'tags',
          number: 4,
          label: REPEATED,
          type: STRING,
          jsonName: 'tags',
          options: rules({
            type: { case: 'repeated', value: { items: { type: { case: 'string', value: { maxLen: 5n } } } } },
          }),
        },
        {
          name: 'address',
          number: 5,
          label: OPTIONAL,
          type: MESSAGE,
          typeName: '.users.v1.Address',
          jsonName: 'address',
        },
      ],
    },
    {
      name: 'UserReply',
      field: [{ name: 'name', number: 1, label: OPTIONAL, type: STRING, jsonName: 'name' }],
    },
  ],
});

export const registry: Registry = createFileRegistry(file, (name) =>
  name === 'buf/validate/validate.proto' ? file_buf_validate_validate : undefined,
);

export type CreateUserRequest = Message<'users.v1.CreateUserRequest'> & {
  name: string;
  email: string;
  age: number;
  tags: string[];
  address?: Message<'users.v1.Address'> & { city: string };
};
export type UserReply = Message<'users.v1.UserReply'> & { name: string };

export const CreateUserRequestSchema = registry.getMessage('users.v1.CreateUserRequest') as DescMessage;
export const UserReplySchema = registry.getMessage('users.v1.UserReply') as DescMessage;

export const createUser = (init: Record<string, unknown>): CreateUserRequest =>
  create(CreateUserRequestSchema, init as never) as unknown as CreateUserRequest;
export const userReply = (name: string): UserReply =>
  create(UserReplySchema, { name }) as unknown as UserReply;

export const OPERATION = '/users.v1.Users/Create';

export const createRoute = {
  method: 'POST',
  path: '/v1/users',
  operation: OPERATION,
  input: CreateUserRequestSchema,
  output: UserReplySchema,
  body: '*',
};

export const createMethod: MethodDefinition<CreateUserRequest, UserReply> = {
  path: OPERATION,
  requestStream: false,
  responseStream: false,
  requestSerialize: (m) => Buffer.from(toBinary(CreateUserRequestSchema, m)),
  requestDeserialize: (b) => fromBinary(CreateUserRequestSchema, b) as unknown as CreateUserRequest,
  responseSerialize: (m) => Buffer.from(toBinary(UserReplySchema, m)),
  responseDeserialize: (b) => fromBinary(UserReplySchema, b) as unknown as UserReply,
  originalName: 'create',
};

export const UsersService: ServiceDefinition = { Create: createMethod } as unknown as ServiceDefinition;

export const silent = { log() {} };
