CREATE TABLE "network_versions" (
	"network_id" text NOT NULL,
	"version" bigint NOT NULL,
	"raised_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "network_versions_network_id_version_pk" PRIMARY KEY("network_id","version")
);
--> statement-breakpoint
ALTER TABLE "network_versions" ADD CONSTRAINT "network_versions_network_id_networks_id_fk" FOREIGN KEY ("network_id") REFERENCES "public"."networks"("id") ON DELETE cascade ON UPDATE no action;