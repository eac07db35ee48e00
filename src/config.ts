import { z } from 'zod';
import type { CountryCode } from 'libphonenumber-js/max';
import { COUNTRIES, databaseUrl, enforceJti, optional, port, positive, url, userIds, whole } from './config-values.js';
import { EMULATOR_IDENTITY, type KoreEndpoint, type KoreIdentity } from './kore/endpoint.js';
import type { HttpLimits } from './slack/app.js';

/** What the settings are loaded for: the Slack app needs its Slack settings; the CLI does not. */
export type Purpose = 'app' | 'cli';

/** Applied after the checks, so a check can tell a value someone set from a default. */
const DEFAULTS = { KORE_TIMEOUT_SECONDS: 10, DELIVERY_LEASE_SECONDS: 30, DELIVERY_DEADLINE_MINUTES: 60 };

const fields = z.object({
  NODE_ENV: optional,
  SLACK_BOT_TOKEN: optional.pipe(z.string().startsWith('xoxb-', 'must start with xoxb-').optional()),
  SLACK_SIGNING_SECRET: optional,
  SLACK_APP_TOKEN: optional.pipe(z.string().startsWith('xapp-', 'must start with xapp-').optional()),
  SLACK_API_URL: url,
  PORT: port(3000),
  DATABASE_URL: databaseUrl,
  PGLITE_DIR: optional.pipe(z.string().default('./.data/pglite')),
  KORE_HOST: url,
  KORE_STREAM_ID: optional,
  KORE_ACCOUNT_ID: optional,
  KORE_CLIENT_ID: optional,
  KORE_CLIENT_SECRET: optional,
  KORE_ENFORCE_JTI: enforceJti,
  KORE_DEFAULT_EXTENSION: optional.pipe(z.string().default('+')),
  DEFAULT_COUNTRY: optional.pipe(
    z
      .string()
      .transform((s) => s.toUpperCase())
      .refine((s) => COUNTRIES.has(s), 'must be an ISO 3166-1 alpha-2 code such as US or IN')
      .default('US'),
  ),
  ALLOWED_USER_IDS: userIds,
  ADMIN_USER_IDS: userIds,
  KORE_TIMEOUT_SECONDS: positive,
  DELIVERY_LEASE_SECONDS: positive,
  DELIVERY_DEADLINE_MINUTES: positive,
  KORE_RATE_LIMIT_PER_MIN: whole(60),
  KORE_BATCH_SIZE: whole(50, 1000),
  LOG_LEVEL: optional.pipe(z.enum(['debug', 'info', 'warn', 'error'], 'must be debug, info, warn or error').default('info')),
});

type Env = z.infer<typeof fields>;
type Problem = [variable: keyof Env, message: string];

/** Problems no single variable shows: settings that only make sense together. */
function combinationProblems(env: Env, purpose: Purpose, bad: ReadonlySet<unknown>): Problem[] {
  const problems: Problem[] = [];
  if (!bad.has('DELIVERY_LEASE_SECONDS') && !bad.has('KORE_TIMEOUT_SECONDS')) {
    const lease = leaseProblem(env.KORE_TIMEOUT_SECONDS, env.DELIVERY_LEASE_SECONDS);
    if (lease) problems.push(lease);
  }
  const kore = ['KORE_STREAM_ID', 'KORE_ACCOUNT_ID', 'KORE_CLIENT_ID', 'KORE_CLIENT_SECRET'] as const;
  if (env.KORE_HOST) {
    for (const key of kore) if (!env[key]) problems.push([key, 'is required with KORE_HOST']);
  } else if (env.NODE_ENV === 'production' && !bad.has('KORE_HOST')) {
    problems.push(['KORE_HOST', 'is required when NODE_ENV=production']);
  }
  if (purpose === 'app') {
    if (!env.SLACK_BOT_TOKEN && !bad.has('SLACK_BOT_TOKEN')) problems.push(['SLACK_BOT_TOKEN', 'is required to run the Slack app']);
    if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET && !bad.has('SLACK_APP_TOKEN')) {
      problems.push(['SLACK_SIGNING_SECRET', 'is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)']);
    }
  }
  return problems;
}

/**
 * A busy process must not lose the lease on a call it is still waiting for, so the lease is at least twice the
 * timeout. The line blames the variable that was set, with both values, since a default nobody set is no one's fault.
 */
function leaseProblem(timeoutSet: number | undefined, leaseSet: number | undefined): Problem | undefined {
  const timeout = timeoutSet ?? DEFAULTS.KORE_TIMEOUT_SECONDS;
  const lease = leaseSet ?? DEFAULTS.DELIVERY_LEASE_SECONDS;
  if (lease >= 2 * timeout) return undefined;
  if (leaseSet === undefined) {
    return [
      'KORE_TIMEOUT_SECONDS',
      `${timeout} s needs DELIVERY_LEASE_SECONDS (${lease} s, the default) to be at least twice it; ` +
        `lower it to ${lease / 2} or less, or set DELIVERY_LEASE_SECONDS to ${2 * timeout} or more`,
    ];
  }
  const timeoutSaid = timeoutSet === undefined ? `${timeout} s, the default` : `${timeout} s`;
  return [
    'DELIVERY_LEASE_SECONDS',
    `${lease} s must be at least twice KORE_TIMEOUT_SECONDS (${timeoutSaid}); set it to ${2 * timeout} or more` +
      (timeoutSet === undefined ? '' : `, or lower KORE_TIMEOUT_SECONDS to ${lease / 2} or less`),
  ];
}

/** The fields, then what they mean together; runs after an unparsable value too, so every problem is reported at once. */
function schemaFor(purpose: Purpose) {
  return fields.superRefine(
    (env, ctx) => {
      const bad = new Set(ctx.issues.map((issue) => issue.path?.[0]));
      for (const [variable, message] of combinationProblems(env, purpose, bad)) {
        ctx.addIssue({ code: 'custom', path: [variable], message });
      }
    },
    { when: () => true },
  );
}

const schemas = { app: schemaFor('app'), cli: schemaFor('cli') };

/** The application's settings, parsed once from the environment. */
export interface Config {
  slack: { botToken?: string; signingSecret?: string; appToken?: string; apiUrl?: string };
  port: number;
  databaseUrl?: string;
  pgliteDir: string;
  /** Unset: the built-in emulator serves the contacts endpoint. */
  kore?: KoreEndpoint;
  defaultExtension: string;
  defaultCountry: CountryCode;
  /** Unset: everyone in the workspace. */
  allowedUserIds?: ReadonlySet<string>;
  /** Who sees everyone's requests and may change any of them; none when unset. */
  adminUserIds: ReadonlySet<string>;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  delivery: {
    /** One call to the endpoint gives up after this long. */
    timeoutMs: number;
    /** A request in flight this long is taken to be lost with its process and tried again. */
    leaseMs: number;
    /** A request still unanswered this long after it was accepted is `failed`. */
    deadlineMs: number;
    /** The most calls all instances together make to the contacts API in a rolling minute. */
    callsPerMinute: number;
    /** The most contacts in one create call. */
    batchSize: number;
  };
}

/** The settings of the Slack app, which cannot run without its Slack credentials. */
export interface AppConfig extends Config {
  /** `http`: limits on HTTP mode's connections, never from the environment (tests shorten them). */
  slack: { botToken: string; signingSecret?: string; appToken?: string; apiUrl?: string; http?: Partial<HttpLimits> };
}

/** The settings of `npm run emulator`: where it listens, its database, and the identity it accepts calls for. */
export interface EmulatorConfig {
  port: number;
  host: string;
  databaseUrl?: string;
  pgliteDir: string;
  identity: KoreIdentity;
  /** Calls allowed per rolling minute per account, as the vendor's limit (60). */
  callsPerMinute: number;
}

const emulatorFields = z.object({
  EMULATOR_PORT: port(4010),
  EMULATOR_HOST: optional.pipe(z.string().default('127.0.0.1')),
  DATABASE_URL: databaseUrl,
  PGLITE_DIR: optional.pipe(z.string().default('./.data/emulator')),
  KORE_STREAM_ID: optional.pipe(z.string().default(EMULATOR_IDENTITY.streamId)),
  KORE_ACCOUNT_ID: optional.pipe(z.string().default(EMULATOR_IDENTITY.accountId)),
  KORE_CLIENT_ID: optional.pipe(z.string().default(EMULATOR_IDENTITY.clientId)),
  KORE_CLIENT_SECRET: optional.pipe(z.string().default(EMULATOR_IDENTITY.clientSecret)),
  KORE_ENFORCE_JTI: enforceJti,
  EMULATOR_CALLS_PER_MINUTE: whole(60),
});

/** Parses the emulator's environment, or throws a `ConfigError` naming each bad variable. */
export function loadEmulatorConfig(env: Record<string, string | undefined> = process.env): EmulatorConfig {
  const e = parse(emulatorFields, env);
  return {
    port: e.EMULATOR_PORT,
    host: e.EMULATOR_HOST,
    databaseUrl: e.DATABASE_URL,
    pgliteDir: e.PGLITE_DIR,
    identity: {
      streamId: e.KORE_STREAM_ID,
      accountId: e.KORE_ACCOUNT_ID,
      clientId: e.KORE_CLIENT_ID,
      clientSecret: e.KORE_CLIENT_SECRET,
      enforceJti: e.KORE_ENFORCE_JTI === 'true',
    },
    callsPerMinute: e.EMULATOR_CALLS_PER_MINUTE,
  };
}

function parse<T>(schema: z.ZodType<T>, env: Record<string, string | undefined>): T {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`));
  }
  return parsed.data;
}

/** One line per bad variable; never carries a secret's value. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment into a `Config`, or throws a `ConfigError` naming each bad variable — every one at once.
 * For the Slack app (`'app'`) the Slack credentials are required too; the CLI (the default) does without them.
 */
export function loadConfig(env: Record<string, string | undefined>, purpose: 'app'): AppConfig;
export function loadConfig(env?: Record<string, string | undefined>, purpose?: Purpose): Config;
export function loadConfig(env: Record<string, string | undefined> = process.env, purpose: Purpose = 'cli'): Config {
  const e = parse(schemas[purpose], env);
  return {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL && (e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`),
    },
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    pgliteDir: e.PGLITE_DIR,
    kore: e.KORE_HOST
      ? {
          host: e.KORE_HOST.replace(/\/+$/, ''),
          streamId: e.KORE_STREAM_ID!,
          accountId: e.KORE_ACCOUNT_ID!,
          clientId: e.KORE_CLIENT_ID!,
          clientSecret: e.KORE_CLIENT_SECRET!,
          enforceJti: e.KORE_ENFORCE_JTI === 'true',
        }
      : undefined,
    defaultExtension: e.KORE_DEFAULT_EXTENSION,
    defaultCountry: e.DEFAULT_COUNTRY as CountryCode,
    allowedUserIds: e.ALLOWED_USER_IDS && new Set(e.ALLOWED_USER_IDS),
    adminUserIds: new Set(e.ADMIN_USER_IDS),
    logLevel: e.LOG_LEVEL,
    delivery: {
      timeoutMs: (e.KORE_TIMEOUT_SECONDS ?? DEFAULTS.KORE_TIMEOUT_SECONDS) * 1000,
      leaseMs: (e.DELIVERY_LEASE_SECONDS ?? DEFAULTS.DELIVERY_LEASE_SECONDS) * 1000,
      deadlineMs: (e.DELIVERY_DEADLINE_MINUTES ?? DEFAULTS.DELIVERY_DEADLINE_MINUTES) * 60_000,
      callsPerMinute: e.KORE_RATE_LIMIT_PER_MIN,
      batchSize: e.KORE_BATCH_SIZE,
    },
  };
}
