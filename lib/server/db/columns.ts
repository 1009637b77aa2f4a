import { customType } from 'drizzle-orm/pg-core';

// inet in Postgres; strings in TypeScript ("10.64.0.0/16", "10.64.0.5").
export const inet = customType<{ data: string; driverData: string }>({ dataType: () => 'inet' });
