import { pgTable, text, timestamp, integer, index } from 'drizzle-orm/pg-core';
import { users } from '../users/schema';

/**
 * One row per signed-in browser: the session cookie (an encrypted JWT) names its id, and the
 * session lives only while the row does, so sign-out, "sign out everywhere" and a password
 * change end sessions at once.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/**
 * Sign-in attempts not known to have succeeded, keyed by "pair:<email> <ip>" or "ip:<ip>"
 * (lib/server/auth/rate-limit.ts): past a free allowance each one pushes the next allowed attempt
 * further off; the count is forgotten an hour after the next attempt was allowed.
 */
export const signInAttempts = pgTable('sign_in_attempts', {
  key: text('key').primaryKey(),
  /** When this run of attempts began. */
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  count: integer('count').notNull(),
  nextAllowedAt: timestamp('next_allowed_at', { withTimezone: true }).notNull().defaultNow(),
});
