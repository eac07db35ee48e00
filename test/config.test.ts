import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadEmulatorConfig, type Purpose } from '../src/config.js';
import { EMULATOR_IDENTITY } from '../src/kore/endpoint.js';

const kore = {
  KORE_HOST: 'https://platform.kore.ai',
  KORE_STREAM_ID: 'st-3f1b9c2e',
  KORE_ACCOUNT_ID: '6489a1b2c3d4e5f6a7b8c9d0',
  KORE_CLIENT_ID: 'cs-0f6a5b2e',
  KORE_CLIENT_SECRET: 'sup3r-s3cret',
};

/** The problems `loadConfig` names for this environment (none when it loads). */
function problems(env: Record<string, string | undefined>, purpose: Purpose = 'cli'): string[] {
  try {
    loadConfig(env, purpose);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
}

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      slack: { botToken: undefined, signingSecret: undefined, appToken: undefined, apiUrl: undefined },
      port: 3000,
      databaseUrl: undefined,
      pgliteDir: './.data/pglite',
      kore: undefined,
      defaultExtension: '+',
      defaultCountry: 'US',
      allowedUserIds: undefined,
      adminUserIds: new Set(),
      logLevel: 'info',
      delivery: { timeoutMs: 10_000, leaseMs: 30_000, deadlineMs: 60 * 60_000, callsPerMinute: 60, batchSize: 50 },
    });
  });

  it('takes a blank value as unset', () => {
    const config = loadConfig({
      PORT: '',
      DEFAULT_COUNTRY: '  ',
      LOG_LEVEL: '',
      KORE_HOST: ' ',
      PGLITE_DIR: '',
      ALLOWED_USER_IDS: '',
      KORE_DEFAULT_EXTENSION: '',
    });
    expect(config).toMatchObject({
      port: 3000,
      defaultCountry: 'US',
      logLevel: 'info',
      kore: undefined,
      pgliteDir: './.data/pglite',
      allowedUserIds: undefined,
      adminUserIds: new Set(),
      defaultExtension: '+',
    });
  });

  it('reads every setting', () => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
      SLACK_SIGNING_SECRET: 'signing',
      SLACK_APP_TOKEN: 'xapp-1-A-abc',
      SLACK_API_URL: 'http://127.0.0.1:9000/api',
      PORT: '8080',
      DATABASE_URL: 'postgresql://bot@db.internal:5432/contacts',
      PGLITE_DIR: '/var/lib/contact-bot',
      ...kore,
      KORE_HOST: 'https://platform.kore.ai/',
      KORE_ENFORCE_JTI: 'true',
      KORE_DEFAULT_EXTENSION: '0',
      DEFAULT_COUNTRY: 'IN',
      ALLOWED_USER_IDS: 'U01',
      ADMIN_USER_IDS: 'U02, W03',
      LOG_LEVEL: 'debug',
      KORE_TIMEOUT_SECONDS: '2.5',
      DELIVERY_LEASE_SECONDS: '20',
      DELIVERY_DEADLINE_MINUTES: '15',
      KORE_RATE_LIMIT_PER_MIN: '45',
      KORE_BATCH_SIZE: '1000',
    });
    expect(config).toEqual({
      slack: { botToken: 'xoxb-1-2-abc', signingSecret: 'signing', appToken: 'xapp-1-A-abc', apiUrl: 'http://127.0.0.1:9000/api/' },
      port: 8080,
      databaseUrl: 'postgresql://bot@db.internal:5432/contacts',
      pgliteDir: '/var/lib/contact-bot',
      kore: {
        host: 'https://platform.kore.ai',
        streamId: kore.KORE_STREAM_ID,
        accountId: kore.KORE_ACCOUNT_ID,
        clientId: kore.KORE_CLIENT_ID,
        clientSecret: kore.KORE_CLIENT_SECRET,
        enforceJti: true,
      },
      defaultExtension: '0',
      defaultCountry: 'IN',
      allowedUserIds: new Set(['U01']),
      adminUserIds: new Set(['U02', 'W03']),
      logLevel: 'debug',
      delivery: { timeoutMs: 2_500, leaseMs: 20_000, deadlineMs: 15 * 60_000, callsPerMinute: 45, batchSize: 1000 },
    });
  });

  it('leaves JTI enforcement off unless asked', () => {
    expect(loadConfig(kore).kore?.enforceJti).toBe(false);
    expect(loadConfig({ ...kore, KORE_ENFORCE_JTI: 'false' }).kore?.enforceJti).toBe(false);
  });

  it.each([
    ['SLACK_BOT_TOKEN', 'xoxp-a-user-token'],
    ['SLACK_APP_TOKEN', 'xoxb-not-an-app-token'],
    ['SLACK_API_URL', 'ftp://slack.example'],
    ['SLACK_API_URL', 'not a url'],
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['DATABASE_URL', 'mysql://bot:pw@db/contacts'],
    ['KORE_HOST', 'platform.kore.ai'],
    ['KORE_ENFORCE_JTI', 'yes'],
    ['DEFAULT_COUNTRY', 'XX'],
    ['DEFAULT_COUNTRY', 'India'],
    ['LOG_LEVEL', 'trace'],
    ['KORE_TIMEOUT_SECONDS', 'ten'],
    ['KORE_TIMEOUT_SECONDS', '0'],
    ['DELIVERY_LEASE_SECONDS', '-5'],
    ['DELIVERY_LEASE_SECONDS', '5'],
    ['KORE_TIMEOUT_SECONDS', '20'],
    ['DELIVERY_DEADLINE_MINUTES', 'never'],
    ['KORE_RATE_LIMIT_PER_MIN', '0'],
    ['KORE_RATE_LIMIT_PER_MIN', '6.5'],
    ['KORE_BATCH_SIZE', '1001'],
    ['KORE_BATCH_SIZE', 'fifty'],
    ['ALLOWED_USER_IDS', 'bob'],
    ['ALLOWED_USER_IDS', 'U01ABC,u02def'],
  ])('names %s, and only it, for %j', (variable, value) => {
    const found = problems(variable === 'KORE_HOST' ? { ...kore, KORE_HOST: value } : { [variable]: value });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^${variable}: \\S`));
    expect(found[0]).not.toContain('\n');
  });

  it.each([
    ['PORT', 'eighty', 'PORT: must be a port number (0 to 65535)'],
    ['PORT', '70000', 'PORT: must be a port number (0 to 65535)'],
    ['KORE_TIMEOUT_SECONDS', 'ten', 'KORE_TIMEOUT_SECONDS: must be a positive number'],
    ['DELIVERY_LEASE_SECONDS', '-5', 'DELIVERY_LEASE_SECONDS: must be a positive number'],
    [
      'DELIVERY_LEASE_SECONDS',
      '19',
      'DELIVERY_LEASE_SECONDS: 19 s must be at least twice KORE_TIMEOUT_SECONDS (10 s, the default); set it to 20 or more',
    ],
    [
      'KORE_TIMEOUT_SECONDS',
      '20',
      'KORE_TIMEOUT_SECONDS: 20 s needs DELIVERY_LEASE_SECONDS (30 s, the default) to be at least twice it; lower it to 15 or less, or set DELIVERY_LEASE_SECONDS to 40 or more',
    ],
    [
      'ALLOWED_USER_IDS',
      'bob',
      `ALLOWED_USER_IDS: "bob" is not a Slack user ID; Slack user IDs look like U012AB3CDE or W012AB3CDE (a member's profile → ⋯ → Copy member ID)`,
    ],
    ['ALLOWED_USER_IDS', ' , ', 'ALLOWED_USER_IDS: lists no user IDs; leave it unset to let everyone in'],
    ['DEFAULT_COUNTRY', 'XX', 'DEFAULT_COUNTRY: must be an ISO 3166-1 alpha-2 code such as US or IN'],
    ['LOG_LEVEL', 'trace', 'LOG_LEVEL: must be debug, info, warn or error'],
    ['KORE_RATE_LIMIT_PER_MIN', '0', 'KORE_RATE_LIMIT_PER_MIN: must be a whole number above 0'],
    ['KORE_BATCH_SIZE', '0', 'KORE_BATCH_SIZE: must be a whole number from 1 to 1000'],
  ])('says in plain words what is wrong with %s=%s', (variable, value, line) => {
    expect(problems({ [variable]: value })).toEqual([line]);
  });

  it('reports every problem at once, one line each', () => {
    const error = (() => {
      try {
        loadConfig({ NODE_ENV: 'production', PORT: 'eighty', LOG_LEVEL: 'loud', DEFAULT_COUNTRY: 'XX', KORE_TIMEOUT_SECONDS: '60' });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('loadConfig accepted a bad environment');
    })();
    expect(error.problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'DEFAULT_COUNTRY',
      'KORE_HOST',
      'KORE_TIMEOUT_SECONDS',
      'LOG_LEVEL',
      'PORT',
    ]);
    expect(error.message.split('\n').slice(1)).toEqual(error.problems);
  });

  it('never prints a secret value', () => {
    const env = {
      ...kore,
      KORE_HOST: 'not-a-url',
      SLACK_BOT_TOKEN: 'xoxp-1234-abcd-secret-user-token',
      SLACK_APP_TOKEN: 'xoxb-5678-efgh-secret-bot-token',
      SLACK_SIGNING_SECRET: 'signing-s3cret',
      DATABASE_URL: 'mysql://bot:db-p4ssw0rd@db.internal/contacts',
      ALLOWED_USER_IDS: 'U01ABC,xoxb-9999-pasted-token,bob',
    };
    const found = problems(env);
    expect(found.map((p) => p.split(':')[0]).sort()).toEqual([
      'ALLOWED_USER_IDS',
      'DATABASE_URL',
      'KORE_HOST',
      'SLACK_APP_TOKEN',
      'SLACK_BOT_TOKEN',
    ]);
    expect(found).toContain(
      `ALLOWED_USER_IDS: entry 2 (not shown), "bob" are not Slack user IDs; Slack user IDs look like U012AB3CDE or W012AB3CDE (a member's profile → ⋯ → Copy member ID)`,
    );
    const text = found.join('\n');
    for (const secret of [
      'sup3r-s3cret',
      'xoxp-1234-abcd-secret-user-token',
      'xoxb-5678-efgh-secret-bot-token',
      'signing-s3cret',
      'db-p4ssw0rd',
      'xoxb-9999',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('requires KORE_HOST in production', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual(['KORE_HOST: is required when NODE_ENV=production']);
    expect(loadConfig({ NODE_ENV: 'production', ...kore }).kore?.host).toBe('https://platform.kore.ai');
  });

  it('names each KORE_* setting missing beside KORE_HOST', () => {
    expect(problems({ KORE_HOST: kore.KORE_HOST })).toEqual([
      'KORE_STREAM_ID: is required with KORE_HOST',
      'KORE_ACCOUNT_ID: is required with KORE_HOST',
      'KORE_CLIENT_ID: is required with KORE_HOST',
      'KORE_CLIENT_SECRET: is required with KORE_HOST',
    ]);
    expect(problems({ ...kore, KORE_ACCOUNT_ID: '', KORE_CLIENT_SECRET: undefined })).toEqual([
      'KORE_ACCOUNT_ID: is required with KORE_HOST',
      'KORE_CLIENT_SECRET: is required with KORE_HOST',
    ]);
  });

  it('names both settings, with their values, when the lease and the timeout were both set', () => {
    expect(problems({ KORE_TIMEOUT_SECONDS: '20', DELIVERY_LEASE_SECONDS: '30' })).toEqual([
      'DELIVERY_LEASE_SECONDS: 30 s must be at least twice KORE_TIMEOUT_SECONDS (20 s); set it to 40 or more, or lower KORE_TIMEOUT_SECONDS to 15 or less',
    ]);
    expect(loadConfig({ KORE_TIMEOUT_SECONDS: '20', DELIVERY_LEASE_SECONDS: '40' }).delivery).toMatchObject({
      timeoutMs: 20_000,
      leaseMs: 40_000,
    });
  });

  it('names every entry of ALLOWED_USER_IDS that is not a Slack user ID', () => {
    expect(problems({ ALLOWED_USER_IDS: 'U01ABC, bob,W02DEF,u03ghi' })).toEqual([
      `ALLOWED_USER_IDS: "bob", "u03ghi" are not Slack user IDs; Slack user IDs look like U012AB3CDE or W012AB3CDE (a member's profile → ⋯ → Copy member ID)`,
    ]);
  });

  describe('for the Slack app', () => {
    const slack = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'signing' };

    it('names every problem at once, the Slack credentials with the rest', () => {
      expect(problems({ DEFAULT_COUNTRY: 'Narnia', SLACK_BOT_TOKEN: 'xoxb-1-2-abc' }, 'app')).toEqual([
        'DEFAULT_COUNTRY: must be an ISO 3166-1 alpha-2 code such as US or IN',
        'SLACK_SIGNING_SECRET: is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
      ]);
      expect(problems({}, 'app')).toEqual([
        'SLACK_BOT_TOKEN: is required to run the Slack app',
        'SLACK_SIGNING_SECRET: is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
      ]);
    });

    it('needs no signing secret in Socket Mode, and no Slack settings at all for the CLI', () => {
      expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_APP_TOKEN: 'xapp-1-A-abc' }, 'app').slack.appToken).toBe('xapp-1-A-abc');
      expect(loadConfig(slack, 'app').slack).toEqual({
        botToken: 'xoxb-1-2-abc',
        signingSecret: 'signing',
        appToken: undefined,
        apiUrl: undefined,
      });
      expect(problems({}, 'cli')).toEqual([]);
    });

    it('names a malformed token once, not also as missing', () => {
      expect(problems({ ...slack, SLACK_BOT_TOKEN: 'xoxp-user' }, 'app')).toEqual(['SLACK_BOT_TOKEN: must start with xoxb-']);
    });
  });

  it('parses ALLOWED_USER_IDS into a set', () => {
    expect(loadConfig({ ALLOWED_USER_IDS: ' U01ABC, U02DEF,,U03GHI , U01ABC' }).allowedUserIds).toEqual(
      new Set(['U01ABC', 'U02DEF', 'U03GHI']),
    );
  });

  it('accepts DEFAULT_COUNTRY in lower case', () => {
    expect(loadConfig({ DEFAULT_COUNTRY: 'in' }).defaultCountry).toBe('IN');
    expect(loadConfig({ DEFAULT_COUNTRY: ' gb ' }).defaultCountry).toBe('GB');
  });
});

describe('loadEmulatorConfig', () => {
  it('has the documented defaults: loopback port 4010, its own PGlite folder and the emulator identity', () => {
    expect(loadEmulatorConfig({})).toEqual({
      port: 4010,
      host: '127.0.0.1',
      databaseUrl: undefined,
      pgliteDir: './.data/emulator',
      identity: EMULATOR_IDENTITY,
      callsPerMinute: 60,
    });
  });

  it('takes the KORE_* identity and its listening address from the environment', () => {
    const config = loadEmulatorConfig({
      ...kore,
      EMULATOR_PORT: '0',
      EMULATOR_HOST: '0.0.0.0',
      KORE_ENFORCE_JTI: 'true',
      EMULATOR_CALLS_PER_MINUTE: '6',
    });
    expect(config).toMatchObject({
      callsPerMinute: 6,
      port: 0,
      host: '0.0.0.0',
      identity: { streamId: 'st-3f1b9c2e', clientSecret: 'sup3r-s3cret', enforceJti: true },
    });
  });

  it('names each bad variable at once', () => {
    const thrown = (() => {
      try {
        return loadEmulatorConfig({ EMULATOR_PORT: '70000', DATABASE_URL: 'mysql://x', EMULATOR_CALLS_PER_MINUTE: '0.5' });
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems).toEqual([
      'EMULATOR_PORT: must be a port number (0 to 65535)',
      'DATABASE_URL: must be a postgres:// URL',
      'EMULATOR_CALLS_PER_MINUTE: must be a whole number above 0',
    ]);
  });
});
