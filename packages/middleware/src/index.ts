export {
  type ClientMetadataOptions,
  clientMetadata,
  isPropagatedKey,
  type ServerMetadataOptions,
  serverMetadata,
} from './metadata/metadata.ts';
export { type RecoveryOptions, recovery } from './recovery/recovery.ts';
