import { describe, expect, it } from 'vitest';
import { BOT_TOKEN, SIGNING_SECRET } from './support/bot.js';
import { runScript } from './support/run.js';

/** `npm start` as a new user meets it: the first thing it says when it cannot start. */
describe('starting the app with settings it cannot use', () => {
  it('names every configuration problem at once, the Slack settings with the rest, and exits 1', async () => {
    const run = await runScript('src/main.ts', [], { SLACK_BOT_TOKEN: BOT_TOKEN, DEFAULT_COUNTRY: 'Narnia', KORE_TIMEOUT_SECONDS: '20' });
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n').sort()).toEqual([
      'contact-bot: DEFAULT_COUNTRY: must be an ISO 3166-1 alpha-2 code such as US or IN',
      'contact-bot: KORE_TIMEOUT_SECONDS: 20 s needs DELIVERY_LEASE_SECONDS (30 s, the default) to be at least twice it; lower it to 15 or less, or set DELIVERY_LEASE_SECONDS to 40 or more',
      'contact-bot: SLACK_SIGNING_SECRET: is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
    ]);
    expect(run.stdout).toBe('');
  });

  it('says an unreachable database is the database, naming its host and not its password', async () => {
    const run = await runScript('src/main.ts', [], {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      PORT: '0',
      DATABASE_URL: 'postgres://bot:s3cret-pw@127.0.0.1:1/contacts',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'contact-bot: could not start: the database at 127.0.0.1:1 (DATABASE_URL) is not reachable: connect ECONNREFUSED 127.0.0.1:1\n',
    );
  });
});
