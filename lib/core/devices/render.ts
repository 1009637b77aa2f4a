import { renderClientConfig } from '../wireguard/client-config';
import type { ConfigBody, PeerConfigBody } from './types';

// Turns a server answer plus the private key into wg-quick text. Runs in the browser, the
// only place the private key exists, so it imports nothing server-side.

export function renderDeviceConfig(body: ConfigBody, privateKey: string): string {
  return renderClientConfig({ privateKey, addresses: body.addresses, dns: body.dns, peers: body.peers });
}

/**
 * A server's config: like a device's but without DNS (it would replace the server's own
 * resolver with one that answers only the private zone) and with a ListenPort, so the other
 * hosts can reach it at the endpoint registered for it.
 */
export function renderPeerConfig(body: PeerConfigBody, privateKey: string): string {
  return renderClientConfig({ privateKey, addresses: body.addresses, dns: [], peers: body.peers, listenPort: body.listenPort });
}
