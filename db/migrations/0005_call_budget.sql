CREATE TABLE "call_budget" (
	"account_id" text PRIMARY KEY NOT NULL,
	"calls" timestamp with time zone[] DEFAULT '{}' NOT NULL,
	"blocked_until" timestamp with time zone
);
