CREATE TABLE "contact_requests" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"team_id" text,
	"user_id" text NOT NULL,
	"source" text NOT NULL,
	"salutation" text,
	"first_name" text NOT NULL,
	"last_name" text NOT NULL,
	"phone_e164" text NOT NULL,
	"country_code" text NOT NULL,
	"national_number" text NOT NULL,
	"extension" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"contact_id" text,
	"error" jsonb,
	"attempts" integer DEFAULT 0 NOT NULL,
	"reply" jsonb,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"settled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "emulator_contacts" (
	"id" text PRIMARY KEY NOT NULL,
	"stream_id" text NOT NULL,
	"account_id" text NOT NULL,
	"created_by" text NOT NULL,
	"salutation" text NOT NULL,
	"first_name" text NOT NULL,
	"last_name" text NOT NULL,
	"phone_e164" text NOT NULL,
	"country_code" text NOT NULL,
	"extension" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "request_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"request_id" bigint NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"detail" jsonb
);
--> statement-breakpoint
ALTER TABLE "request_events" ADD CONSTRAINT "request_events_request_id_contact_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."contact_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "contact_requests_idempotency_key" ON "contact_requests" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "contact_requests_due" ON "contact_requests" USING btree ("next_attempt_at") WHERE "contact_requests"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "contact_requests_user" ON "contact_requests" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "contact_requests_phone" ON "contact_requests" USING btree ("phone_e164","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "emulator_contacts_stream_phone" ON "emulator_contacts" USING btree ("stream_id","phone_e164");--> statement-breakpoint
CREATE INDEX "request_events_request" ON "request_events" USING btree ("request_id","id");