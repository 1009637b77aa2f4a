-- Issue 11: an agentUrl may no longer carry user:password@ (sent as Basic auth, kept in the
-- audit log). Enrolments from before keep working without it; the credentials are removed.
UPDATE "peers" SET "agent_url" = regexp_replace("agent_url", '^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#\\]*@', '\1')
  WHERE "agent_url" ~ '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#\\]*@';--> statement-breakpoint
UPDATE "audit_log" SET "details" = jsonb_set("details", '{agentUrl}',
    to_jsonb(regexp_replace("details"->>'agentUrl', '^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#\\]*@', '\1')))
  WHERE "details"->>'agentUrl' ~ '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#\\]*@';
--> statement-breakpoint
-- IPv4-mapped IPv6 rules (::ffff:198.51.100.15) landed in hosts' IPv6 set and opened nothing:
-- they become the IPv4 prefix they carry (a duplicate of an existing IPv4 rule goes), and
-- their networks' hosts get a new version.
UPDATE "networks" SET "config_version" = "config_version" + 1
  WHERE "id" IN (SELECT "network_id" FROM "firewall_rules" WHERE "cidr" <<= '::ffff:0:0/96'::inet);--> statement-breakpoint
DELETE FROM "firewall_rules" r WHERE r."cidr" <<= '::ffff:0:0/96'::inet AND EXISTS (
  SELECT 1 FROM "firewall_rules" o WHERE o."network_id" = r."network_id"
    AND o."cidr" = set_masklen(substring(host(r."cidr") from 8)::inet, masklen(r."cidr") - 96));--> statement-breakpoint
UPDATE "firewall_rules" SET "cidr" = set_masklen(substring(host("cidr") from 8)::inet, masklen("cidr") - 96)
  WHERE "cidr" <<= '::ffff:0:0/96'::inet;--> statement-breakpoint
UPDATE "leases" SET "ip" = substring(host("ip") from 8)::inet WHERE "ip" <<= '::ffff:0:0/96'::inet;
