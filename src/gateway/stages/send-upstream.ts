import type { UpstreamCall } from '../upstream-call.ts';

/** The last stage: hands the call to its upstream's connection pool. */
export function sendUpstream(call: UpstreamCall): Promise<void> {
  return call.send();
}
