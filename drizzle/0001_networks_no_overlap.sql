-- CIDRs never overlap within an installation, whichever project owns them.
ALTER TABLE "networks" ADD CONSTRAINT "networks_cidr_no_overlap" EXCLUDE USING gist ("cidr" inet_ops WITH &&);
