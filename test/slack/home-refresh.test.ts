import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestRow } from '../../src/audit/requests.js';
import { createLogger } from '../../src/log.js';
import { homeRefresher } from '../../src/slack/home.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';

const row = (userId: string, reply: RequestRow['reply'] = { kind: 'modal', viewId: 'V1' }) => ({ userId, reply }) as RequestRow;

describe('refreshing the App Home after a request settles', () => {
  let slack: FakeSlack;
  let client: webApi.WebClient;

  beforeAll(async () => {
    slack = await startFakeSlack();
    client = new webApi.WebClient('xoxb-refresh', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
  });
  afterAll(() => slack?.close());

  const publishes = (userId: string) => slack.calls.filter((c) => c.method === 'views.publish' && c.args.user_id === userId);

  it("publishes a batch's outcomes for one user in two publishes at most, the last one read after the last outcome", async () => {
    let reads = 0;
    const refresh = homeRefresher({
      client,
      home: async () => ({ type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `read ${++reads}` } }] }),
      log: createLogger('error'),
    });
    await Promise.all(Array.from({ length: 20 }, () => refresh(row('UBATCH'))));
    const published = publishes('UBATCH');
    expect(published.length).toBeGreaterThanOrEqual(1);
    expect(published.length).toBeLessThanOrEqual(2);
    expect(reads).toBe(published.length);
    await refresh(row('UBATCH'));
    expect(publishes('UBATCH')).toHaveLength(published.length + 1);
  });

  it('leaves out a request from the CLI: a terminal user has no App Home', async () => {
    const refresh = homeRefresher({ client, home: async () => ({ type: 'home', blocks: [] }), log: createLogger('error') });
    await refresh(row('cli:someone', { kind: 'cli' }));
    expect(publishes('cli:someone')).toEqual([]);
  });

  it("leaves out an import's row, whose progress message refreshes the home by user instead", async () => {
    const refresh = homeRefresher({ client, home: async () => ({ type: 'home', blocks: [] }), log: createLogger('error') });
    await refresh(row('UIMPORT', { kind: 'import' }));
    expect(publishes('UIMPORT')).toEqual([]);
    await Promise.all([refresh.user('UIMPORT'), refresh.user('UIMPORT'), refresh.user('UIMPORT')]);
    expect(publishes('UIMPORT').length).toBeGreaterThanOrEqual(1);
    expect(publishes('UIMPORT').length).toBeLessThanOrEqual(2);
  });

  it('logs a home that could not be read or published, and resolves', async () => {
    const lines: string[] = [];
    const log = createLogger('warn', 'contact-bot', (line) => lines.push(line));
    const refresh = homeRefresher({
      client,
      home: async () => {
        throw new Error('database gone');
      },
      log,
    });
    await expect(refresh(row('UFAIL'))).resolves.toBeUndefined();
    expect(lines.map((line) => JSON.parse(line) as { msg: string; user: string })).toMatchObject([
      { msg: 'could not refresh the App Home', user: 'UFAIL' },
    ]);
  });
});
