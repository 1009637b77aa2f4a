// Shapes the devices API answers with. Type-only, so client components can import them
// without pulling server code into the browser bundle.

import type { ClientPeer } from '../wireguard/client-config';

export type ConfigPeer = ClientPeer;

/** Everything a wg-quick config needs except the private key, which never reaches the server. */
export type ConfigBody = { addresses: string[]; peers: ConfigPeer[]; dns: string[] };

/** POST /devices and PATCH /devices/{id} (regenerate): what the device was just given. */
export type DeviceConfigAnswer = ConfigBody & { id: string; name: string; networks: NetworkReach[] };

/** Per network: whether the config reaches anything there, and if not what the operator must do. */
export type NetworkReach = { networkId: string; networkLabel: string; reachable: boolean; reason: string | null };

/** GET /devices/{id}/config: the same as of now, whether it differs from what was given, and how. */
export type CurrentDeviceConfig = DeviceConfigAnswer & { stale: boolean; changes: string[]; hash: string };

/** A manually run peer's config: its own address, the port it listens on, the other hosts. */
export type PeerConfigBody = { addresses: string[]; listenPort: number; peers: ConfigPeer[] };
