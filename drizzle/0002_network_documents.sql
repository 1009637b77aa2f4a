CREATE TABLE "network_documents" (
	"network_id" text NOT NULL,
	"version" bigint NOT NULL,
	"state" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "network_documents_network_id_version_pk" PRIMARY KEY("network_id","version")
);
--> statement-breakpoint
ALTER TABLE "network_documents" ADD CONSTRAINT "network_documents_network_id_networks_id_fk" FOREIGN KEY ("network_id") REFERENCES "public"."networks"("id") ON DELETE cascade ON UPDATE no action;