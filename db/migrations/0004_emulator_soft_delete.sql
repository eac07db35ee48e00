DROP INDEX "emulator_contacts_stream_phone";--> statement-breakpoint
ALTER TABLE "emulator_contacts" ADD COLUMN "status" text DEFAULT 'ACTIVE' NOT NULL;--> statement-breakpoint
ALTER TABLE "emulator_contacts" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
-- Contacts stored before updates existed were last changed when they were created.
UPDATE "emulator_contacts" SET "updated_at" = "created_at";--> statement-breakpoint
CREATE UNIQUE INDEX "emulator_contacts_stream_phone" ON "emulator_contacts" USING btree ("stream_id","phone_e164") WHERE "emulator_contacts"."status" = 'ACTIVE';