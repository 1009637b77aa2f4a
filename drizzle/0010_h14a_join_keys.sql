CREATE TABLE "join_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"member_id" text NOT NULL,
	"key_hash" text NOT NULL,
	"process" text,
	"expires_at" timestamp with time zone NOT NULL,
	"max_uses" integer,
	"uses" integer DEFAULT 0 NOT NULL,
	"last_used_at" timestamp with time zone,
	"ephemeral" boolean DEFAULT false NOT NULL,
	"autoscale" boolean DEFAULT false NOT NULL,
	"max_instances" integer,
	"revoked_at" timestamp with time zone,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "join_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "joined_peers" (
	"peer_id" text PRIMARY KEY NOT NULL,
	"join_key_id" text,
	"ephemeral" boolean NOT NULL,
	"autoscale" boolean NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "join_keys" ADD CONSTRAINT "join_keys_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "join_keys" ADD CONSTRAINT "join_keys_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "joined_peers" ADD CONSTRAINT "joined_peers_peer_id_peers_id_fk" FOREIGN KEY ("peer_id") REFERENCES "public"."peers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "joined_peers" ADD CONSTRAINT "joined_peers_join_key_id_join_keys_id_fk" FOREIGN KEY ("join_key_id") REFERENCES "public"."join_keys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "join_keys_member_idx" ON "join_keys" USING btree ("member_id");--> statement-breakpoint
CREATE INDEX "joined_peers_ephemeral_idx" ON "joined_peers" USING btree ("joined_at") WHERE ephemeral;