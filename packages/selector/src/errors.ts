import { KratosError } from '@kratos/core';

/** Go Kratos' `selector.ErrNoAvailable` reason (`errors.ServiceUnavailable("no_available_node", "")`). */
export const NO_AVAILABLE_NODE = 'no_available_node';

/** The 503 a pick with no candidate node throws; same code and reason as Go Kratos. */
export function noAvailableNode(message = 'no available node'): KratosError {
  return new KratosError(503, NO_AVAILABLE_NODE, message);
}

/** True for the error {@link noAvailableNode} makes (from Go or TypeScript peers alike). */
export function isNoAvailableNode(error: unknown): boolean {
  return KratosError.is(error) && error.code === 503 && error.reason === NO_AVAILABLE_NODE;
}
