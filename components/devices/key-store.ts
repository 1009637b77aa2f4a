import { createStore, del, get, set, type UseStore } from 'idb-keyval';

// The private keys of this browser's devices, in IndexedDB: readable only by this origin in
// this browser profile, never sent anywhere. WebCrypto's non-exportable CryptoKey would be
// stronger, but X25519 is not in every browser's WebCrypto and WireGuard needs the raw key to
// write the file, so the key material itself is stored. Browser-only (no IndexedDB on the server).

let store: UseStore | null = null;
const keys = () => (store ??= createStore('meshplane', 'device-keys'));

/** Keeps a device's private key in this browser; a failure (private mode, quota) only means no "Update config" later. */
export async function rememberDeviceKey(deviceId: string, privateKey: string): Promise<boolean> {
  try {
    await set(deviceId, privateKey, keys());
    return true;
  } catch {
    return false;
  }
}

/**
 * The key functions (X25519, @noble/curves), loaded on first use rather than with the page:
 * they are needed only once a key is made or checked, after the page is interactive.
 */
export const loadKeys = () => import('../../lib/core/wireguard/keys');

/**
 * The private key this browser holds for the device, only if it is still the device's key
 * (another browser may have regenerated it since: then the stored one is useless and goes).
 */
export async function deviceKey(deviceId: string, publicKey: string): Promise<string | null> {
  try {
    const stored = await get<string>(deviceId, keys());
    if (!stored) return null;
    if ((await loadKeys()).publicKeyFromPrivate(stored) === publicKey) return stored;
    await del(deviceId, keys());
    return null;
  } catch {
    return null;
  }
}

export async function forgetDeviceKey(deviceId: string): Promise<void> {
  await del(deviceId, keys());
}
