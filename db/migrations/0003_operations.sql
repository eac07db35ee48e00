-- Replies recorded before they had a kind: a Slack view id was the contact modal's; none at all was the CLI's.
UPDATE "contact_requests" SET "reply" = jsonb_build_object('kind', 'modal', 'viewId', "reply"->'viewId') WHERE "reply" ? 'viewId';--> statement-breakpoint
UPDATE "contact_requests" SET "reply" = '{"kind":"cli"}'::jsonb WHERE "reply" IS NULL OR NOT "reply" ? 'kind';--> statement-breakpoint
ALTER TABLE "contact_requests" ALTER COLUMN "reply" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "contact_requests" ADD COLUMN "operation" text DEFAULT 'create' NOT NULL;--> statement-breakpoint
ALTER TABLE "contact_requests" ADD COLUMN "target_contact_id" text;--> statement-breakpoint
CREATE INDEX "contact_requests_target_pending" ON "contact_requests" USING btree ("target_contact_id","id") WHERE "contact_requests"."status" = 'pending' and "contact_requests"."target_contact_id" is not null;