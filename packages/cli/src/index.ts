export { type NewOptions, newProject } from './commands/new.ts';
export { type AdapterKind, type NewAdapterOptions, newAdapter } from './commands/new-adapter.ts';
export { crudProto, protoAdd } from './commands/proto-add.ts';
export { listProtos, projectRoot, protoClient } from './commands/proto-client.ts';
export {
  type ProtoMethod,
  type ProtoService,
  parseServices,
  protoServer,
  serviceStub,
} from './commands/proto-server.ts';
export { findEntries, run } from './commands/run.ts';
export { TOOL_PACKAGES, upgradeCommand } from './commands/upgrade.ts';
export { CliError, consoleOutput, type Output } from './errors.ts';
export { main } from './main.ts';
