export { type ApolloFake, type ApolloFakeOptions, createApolloFake } from './apollo-fake.ts';
export {
  type CodecContractOptions,
  defaultCodecSamples,
  describeCodecContract,
  type MessageSample,
} from './codec-contract.ts';
export {
  type ConfigDocument,
  type ConfigSourceFeatures,
  type ConfigSourceSetup,
  type ConfigSourceSubject,
  describeConfigSourceContract,
} from './config-source-contract.ts';
export * from './logger-contract/index.ts';
export { type RecordedLogs, recordLogs, silentLogger } from './logs.ts';
export { mapDiscovery } from './map-discovery.ts';
export {
  createMemoryTransport,
  MEMORY_TRANSPORT_UNAVAILABLE,
  type MemoryServer,
  type MemoryTransport,
  type MemoryTransportOptions,
  type StreamHandler,
} from './memory-transport.ts';
export { freePort, startTcpProxy, type TcpProxy } from './net.ts';
export * from './otelcol.ts';
export { checkRegistryOutage, type RegistryOutageSubject } from './outage.ts';
export {
  type CallRecord,
  type ChildServer,
  childServers,
  driveAcrossKill,
  sigkill,
  startChildServer,
} from './processes.ts';
export {
  describeRegistryContract,
  type RegistryFeatures,
  type RegistrySubject,
  type RegistrySubjectParts,
  type RestartTimings,
} from './registry-contract/index.ts';
export { type RegistryServer, startEureka, startServiceCenter } from './registry-servers.ts';
export {
  findRepoRoot,
  parseServerInfo,
  type ServerInfo,
  type StartedServer,
  type StartServerOptions,
  startServer,
} from './servers.ts';
export {
  type ConformanceCallOptions,
  type ConformanceClient,
  type ConformanceHandlers,
  type ConformanceReply,
  type ConformanceServer,
  describeTransportConformance,
  replyHeaderCapture,
  type TransportFeatures,
  type TransportSubject,
} from './transport-conformance/index.ts';
export { uniqueName } from './unique-name.ts';
export { TimeoutError, type WaitForOptions, waitFor, withTimeout } from './wait.ts';
export { nextMatching } from './watch.ts';
