/**
 * The client address used for per-IP rate limiting. Without a trusted proxy it is the TCP peer; behind one
 * (GATEWAY_TRUST_PROXY=true) it is the right-most X-Forwarded-For entry: the address the nearest proxy saw,
 * which a client cannot forge (entries to its left are whatever the client chose to send).
 */
export function clientIp(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trustProxy: boolean): string {
  if (trustProxy && forwardedFor !== undefined) {
    const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
    const entries = header.split(',');
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i].trim();
      if (entry) return entry;
    }
  }
  return socketAddress ?? 'unknown';
}
