// The workspace's public packages, for the release scripts (one lister: scripts/workspace.mjs).
export { publicPackages } from '../workspace.mjs';
