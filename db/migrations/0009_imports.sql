CREATE TABLE "imports" (
	"id" text PRIMARY KEY NOT NULL,
	"team_id" text,
	"user_id" text NOT NULL,
	"file_name" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"draft" jsonb,
	"ignored_columns" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"country" text NOT NULL,
	"not_imported" jsonb,
	"requests" integer DEFAULT 0 NOT NULL,
	"channel" text,
	"ts" text,
	"shown" jsonb,
	"shown_at" timestamp with time zone,
	"lease_until" timestamp with time zone,
	"cancelled_by" text,
	"cancelled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"submitted_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
DROP INDEX "contact_requests_user";--> statement-breakpoint
ALTER TABLE "contact_requests" ADD COLUMN "import_id" text;--> statement-breakpoint
ALTER TABLE "contact_requests" ADD COLUMN "import_line" integer;--> statement-breakpoint
CREATE INDEX "imports_running" ON "imports" USING btree ("shown_at") WHERE "imports"."status" = 'running';--> statement-breakpoint
CREATE INDEX "imports_user" ON "imports" USING btree ("user_id","created_at") WHERE "imports"."status" <> 'draft';--> statement-breakpoint
CREATE INDEX "imports_drafts" ON "imports" USING btree ("created_at") WHERE "imports"."status" = 'draft';--> statement-breakpoint
ALTER TABLE "contact_requests" ADD CONSTRAINT "contact_requests_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contact_requests_team" ON "contact_requests" USING btree ("id") WHERE "contact_requests"."import_id" is null;--> statement-breakpoint
CREATE INDEX "contact_requests_import" ON "contact_requests" USING btree ("import_id","status") WHERE "contact_requests"."import_id" is not null;--> statement-breakpoint
CREATE INDEX "contact_requests_user" ON "contact_requests" USING btree ("user_id","created_at") WHERE "contact_requests"."import_id" is null;