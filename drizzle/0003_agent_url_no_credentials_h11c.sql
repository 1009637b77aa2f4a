-- Issue 11: an agentUrl may no longer carry user:password@ (sent as Basic auth, kept in the
-- audit log). Enrolments from before keep working without it; the credentials are removed.
UPDATE "peers" SET "agent_url" = regexp_replace("agent_url", '^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#\\]*@', '\1')
  WHERE "agent_url" ~ '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#\\]*@';--> statement-breakpoint
UPDATE "audit_log" SET "details" = jsonb_set("details", '{agentUrl}',
    to_jsonb(regexp_replace("details"->>'agentUrl', '^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#\\]*@', '\1')))
  WHERE "details"->>'agentUrl' ~ '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#\\]*@';
