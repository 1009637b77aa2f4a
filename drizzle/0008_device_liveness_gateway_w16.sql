ALTER TABLE "devices" ADD COLUMN "last_given_config" jsonb;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "last_handshake_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "networks" ADD COLUMN "auto_gateway" boolean DEFAULT true NOT NULL;