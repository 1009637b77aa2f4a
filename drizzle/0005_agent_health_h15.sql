ALTER TABLE "peers" ADD COLUMN "agent_ok" boolean;--> statement-breakpoint
ALTER TABLE "peers" ADD COLUMN "agent_health" text;--> statement-breakpoint
ALTER TABLE "peers" ADD COLUMN "last_repair_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "peers" ADD COLUMN "last_repair" text;