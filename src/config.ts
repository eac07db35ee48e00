import { z } from 'zod';
import { getCountries, type CountryCode } from 'libphonenumber-js/max';

const COUNTRIES = new Set<string>(getCountries());

const optional = z
  .string()
  .transform((s) => s.trim())
  .transform((s) => (s === '' ? undefined : s))
  .optional();

const url = optional.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional());

const PORT = 'must be a port number (0 to 65535)';
const POSITIVE = 'must be a positive number';
const positive = (fallback: number) =>
  optional.pipe(z.coerce.number<string | undefined>(POSITIVE).positive(POSITIVE).default(fallback));

const schema = z
  .object({
    NODE_ENV: optional,
    SLACK_BOT_TOKEN: optional.pipe(z.string().startsWith('xoxb-', 'must start with xoxb-').optional()),
    SLACK_SIGNING_SECRET: optional,
    SLACK_APP_TOKEN: optional.pipe(z.string().startsWith('xapp-', 'must start with xapp-').optional()),
    SLACK_API_URL: url,
    PORT: optional.pipe(
      z.coerce.number<string | undefined>(PORT).int(PORT).min(0, PORT).max(65535, PORT).default(3000),
    ),
    DATABASE_URL: optional.pipe(
      z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
    ),
    PGLITE_DIR: optional.pipe(z.string().default('./.data/pglite')),
    KORE_HOST: url,
    KORE_STREAM_ID: optional,
    KORE_ACCOUNT_ID: optional,
    KORE_CLIENT_ID: optional,
    KORE_CLIENT_SECRET: optional,
    KORE_ENFORCE_JTI: optional.pipe(z.enum(['true', 'false'], 'must be true or false').default('false')),
    KORE_DEFAULT_EXTENSION: optional.pipe(z.string().default('+')),
    DEFAULT_COUNTRY: optional.pipe(
      z
        .string()
        .transform((s) => s.toUpperCase())
        .refine((s) => COUNTRIES.has(s), 'must be an ISO 3166-1 alpha-2 code such as US or IN')
        .default('US'),
    ),
    ALLOWED_USER_IDS: optional,
    KORE_TIMEOUT_SECONDS: positive(10),
    DELIVERY_LEASE_SECONDS: positive(30),
    DELIVERY_DEADLINE_MINUTES: positive(60),
    LOG_LEVEL: optional.pipe(z.enum(['debug', 'info', 'warn', 'error'], 'must be debug, info, warn or error').default('info')),
  })
  .superRefine(
    (env, ctx) => {
      const bad = new Set(ctx.issues.map((issue) => issue.path?.[0]));
      const timed = !bad.has('DELIVERY_LEASE_SECONDS') && !bad.has('KORE_TIMEOUT_SECONDS');
      // A busy process must not lose the lease on a call it is still waiting for.
      if (timed && env.DELIVERY_LEASE_SECONDS < 2 * env.KORE_TIMEOUT_SECONDS) {
        ctx.addIssue({ code: 'custom', path: ['DELIVERY_LEASE_SECONDS'], message: 'must be at least twice KORE_TIMEOUT_SECONDS' });
      }
      const kore = ['KORE_STREAM_ID', 'KORE_ACCOUNT_ID', 'KORE_CLIENT_ID', 'KORE_CLIENT_SECRET'] as const;
      if (env.KORE_HOST) {
        for (const key of kore) if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required with KORE_HOST' });
      } else if (env.NODE_ENV === 'production') {
        ctx.addIssue({ code: 'custom', path: ['KORE_HOST'], message: 'is required when NODE_ENV=production' });
      }
    },
    // Runs after an unparsable value too, so every problem is reported at once.
    { when: () => true },
  );

/** Where and how the contacts endpoint is reached. */
export interface KoreConfig {
  host: string;
  streamId: string;
  accountId: string;
  clientId: string;
  clientSecret: string;
  enforceJti: boolean;
}

/** The application's settings, parsed once from the environment. */
export interface Config {
  slack: { botToken?: string; signingSecret?: string; appToken?: string; apiUrl?: string };
  port: number;
  databaseUrl?: string;
  pgliteDir: string;
  /** Unset: the built-in emulator serves the contacts endpoint. */
  kore?: KoreConfig;
  defaultExtension: string;
  defaultCountry: CountryCode;
  /** Unset: everyone in the workspace. */
  allowedUserIds?: ReadonlySet<string>;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  delivery: {
    /** One call to the endpoint gives up after this long. */
    timeoutMs: number;
    /** A request in flight this long is taken to be lost with its process and tried again. */
    leaseMs: number;
    /** A request still unanswered this long after it was accepted is `failed`. */
    deadlineMs: number;
  };
}

/** One line per bad variable; never carries a value. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment into a `Config`, or throws a `ConfigError` naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`));
  }
  const e = parsed.data;
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
    allowedUserIds: e.ALLOWED_USER_IDS
      ? new Set(e.ALLOWED_USER_IDS.split(',').map((s) => s.trim()).filter(Boolean))
      : undefined,
    logLevel: e.LOG_LEVEL,
    delivery: {
      timeoutMs: e.KORE_TIMEOUT_SECONDS * 1000,
      leaseMs: e.DELIVERY_LEASE_SECONDS * 1000,
      deadlineMs: e.DELIVERY_DEADLINE_MINUTES * 60_000,
    },
  };
}
