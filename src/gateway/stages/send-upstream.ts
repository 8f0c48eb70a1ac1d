import type { UpstreamCall } from '../upstream-call.ts';

/** Hands the call to its upstream's connection pool; the last stage of every pipeline. */
export function sendUpstream(call: UpstreamCall): Promise<void> {
  return call.send();
}
