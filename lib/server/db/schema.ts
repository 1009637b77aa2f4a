// Every table, for drizzle-kit and for queries that join across aggregates. Each aggregate's
// tables live beside its code (lib/server/<aggregate>/schema.ts).
export * from './columns';
export { roles, type Role } from '../../core/permissions';
export { memberKinds, type MemberKind } from '../../core/names';
export * from '../audit/schema';
export * from '../auth/schema';
export * from '../delivery/schema';
export * from '../devices/schema';
export * from '../firewall/schema';
export * from '../invitations/schema';
export * from '../join-keys/schema';
export * from '../members/schema';
export * from '../networks/schema';
export * from '../peers/schema';
export * from '../policy/schema';
export * from '../projects/schema';
export * from '../tokens/schema';
export * from '../users/schema';
