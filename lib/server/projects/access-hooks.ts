import type { Tx } from '../db/client';
import { syncDeviceAccess } from '../devices/addresses';

/**
 * Called in the same transaction whenever a user's role in a project changes or ends.
 * The devices feature hangs its address clean-up here.
 */
export async function accessChanged(tx: Tx, projectId: string, userId: string): Promise<void> {
  await syncDeviceAccess(tx, projectId, userId);
}
