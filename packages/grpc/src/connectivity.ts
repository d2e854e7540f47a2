// The gRPC client's connection-aware picking: each node's channel state drives the selector's
// down/up marks, as grpc-go's balancers skip a subchannel that is not READY.
import { type Client, connectivityState } from '@grpc/grpc-js';
import type { Node } from '@kratos/core';
import type { NodeHealth } from '@kratos/selector';

const { IDLE, READY, TRANSIENT_FAILURE, SHUTDOWN } = connectivityState;

/**
 * Follows the state of `client`'s channel to `node`, as grpc-go's base balancer builds its picker
 * from READY subchannels only:
 * - a new channel connects at once (grpc-go's balancer connects every subchannel it makes) and its
 *   node is left out of picks until the channel is READY, so calls go to nodes already connected;
 *   when no node is READY the selector's panic mode still picks one and the call waits for the
 *   connection (or fails over, see the client's transparent retry);
 * - READY: the node is up;
 * - TRANSIENT_FAILURE (a connect was refused or failed): down at once; grpc-js reconnects with
 *   its backoff (1 s, x1.6, up to `grpc.max_reconnect_backoff_ms`, default 120 s) and the node is
 *   up again when a connection is READY;
 * - READY, then IDLE (the connection was lost: the peer died, closed or sent GOAWAY): down at once,
 *   and a reconnect starts now instead of waiting for the next call.
 * Costs nothing per call: one watcher per state change. Stops when the channel is closed.
 */
export function followChannelState(client: Client, node: Node, health: NodeHealth): void {
  const channel = client.getChannel();
  let wasReady = false;
  const onChange = () => {
    let state: connectivityState;
    try {
      state = channel.getConnectivityState(false);
    } catch {
      return; // closed
    }
    if (state === SHUTDOWN) return;
    if (state === READY) {
      wasReady = true;
      health.markUp(node);
    } else if (state === TRANSIENT_FAILURE) {
      health.markDown(node);
    } else if (state === IDLE && wasReady) {
      wasReady = false;
      health.markDown(node);
      channel.getConnectivityState(true); // reconnect now: the node is back as soon as it answers
      state = channel.getConnectivityState(false);
    }
    try {
      channel.watchConnectivityState(state, Number.POSITIVE_INFINITY, onChange);
    } catch {
      // closed meanwhile
    }
  };
  let first: connectivityState;
  try {
    first = channel.getConnectivityState(true); // connect now
  } catch {
    return;
  }
  if (first !== READY) health.markDown(node);
  onChange();
}
