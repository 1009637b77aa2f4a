import { canonicalTail, configHashOf } from './config-hash';
import { networkDns, networkPeers, networkReach, type DeviceNetwork } from './device-config';
import type { ConfigBody, ConfigPeer, NetworkReach } from './types';

/*
 * Device configs for a whole list of devices in time linear in the list: what depends only on
 * a network (its peers, its resolver, its reach) is computed once per network, and what a set
 * of networks gives (the peers and DNS of the config, the canonical text the hash covers) once
 * per distinct set. A device then adds only its own addresses. Pure; equal to
 * assembleDeviceConfig + configHash + networkReach device by device (config-sets.test.ts).
 */

type Network = DeviceNetwork & { label: string };
type SetPart = { peers: ConfigPeer[]; dns: string[]; tail: string };

export function configSets() {
  const perNetwork = new Map<string, { peers: ConfigPeer[]; dns: string | undefined; reach: NetworkReach }>();
  const perSet = new Map<string, SetPart>();

  const networkPart = (n: Network) => {
    let part = perNetwork.get(n.networkId);
    if (!part) {
      part = { peers: networkPeers(n), dns: networkDns(n), reach: networkReach(n) };
      perNetwork.set(n.networkId, part);
    }
    return part;
  };

  /** One device's config body, its hash and its reach per network; `networks` as deviceNetworks gives them. */
  return function configOf(networks: Network[]): { body: ConfigBody; hash: string; reach: NetworkReach[] } {
    // assembleDeviceConfig's order: networks by id.
    const sorted = [...networks].sort((a, b) => (a.networkId < b.networkId ? -1 : a.networkId > b.networkId ? 1 : 0));
    const key = sorted.map((n) => n.networkId).join(',');
    let set = perSet.get(key);
    if (!set) {
      const parts = sorted.map(networkPart);
      const peers = parts.flatMap((p) => p.peers);
      const dns = parts.map((p) => p.dns).filter((ip): ip is string => !!ip);
      set = { peers, dns, tail: canonicalTail({ peers, dns }) };
      perSet.set(key, set);
    }
    const addresses = sorted.map((n) => `${n.deviceIp}/32`);
    return {
      body: { addresses, peers: set.peers, dns: set.dns },
      hash: configHashOf(addresses, set.tail),
      reach: networks.map((n) => networkPart(n).reach),
    };
  };
}
