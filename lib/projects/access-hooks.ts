import type { Tx } from '../db/client';

/**
 * Called in the same transaction whenever a user's role in a project changes or ends.
 * The devices feature hangs its address clean-up here.
 */
export async function accessChanged(_tx: Tx, _projectId: string, _userId: string): Promise<void> {}
