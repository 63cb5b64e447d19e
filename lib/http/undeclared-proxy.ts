import { classifyAddress } from "@/lib/oci/address";
import { normalizeAddress } from "./client-address";

/**
 * Whether the portal sits behind a reverse proxy it was not told about (PORTAL_TRUSTED_HOPS=0, so
 * every client would count as that proxy and share its sign-in limit). The sign: one peer on a
 * private network forwarding (X-Forwarded-For) for several different clients. A client that sends
 * the header itself — a test, a curious user — names one address however often it asks, which is
 * no misconfiguration; a load balancer in front of real users names many.
 *
 * `seen` answers true once: for the request that makes a peer's `clientsForWarning`-th distinct
 * client. Memory stays bounded: at most MAX_PEERS peers, and no more clients per peer than needed.
 */
const MAX_PEERS = 64;

export function undeclaredProxyDetector(clientsForWarning = 3): { seen(peer: string | undefined, forwardedFor: string | string[] | undefined): boolean } {
  const clientsByPeer = new Map<string, Set<string>>();
  let warned = false;
  return {
    seen(peer, forwardedFor) {
      if (warned || !forwardedFor || !peer || !isPrivate(peer)) return false;
      // The entry the peer itself appended: the rightmost.
      const client = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor).split(",").pop()!.trim();
      if (!client) return false;
      const key = normalizeAddress(peer);
      let clients = clientsByPeer.get(key);
      if (!clients) {
        if (clientsByPeer.size >= MAX_PEERS) return false;
        clientsByPeer.set(key, (clients = new Set()));
      }
      clients.add(client);
      if (clients.size < clientsForWarning) return false;
      warned = true;
      clientsByPeer.clear();
      return true;
    },
  };
}

function isPrivate(address: string): boolean {
  try {
    return classifyAddress(normalizeAddress(address)) !== "public";
  } catch {
    return false;
  }
}
