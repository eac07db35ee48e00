import { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { createLogger, libraryLogger } from '../../src/log.js';
import { webApiOptions } from '../../src/slack/web-api.js';
import { freePort } from '../support/bot.js';
import { startFakeSlack } from '../support/fake-slack.js';

function captured() {
  const lines: string[] = [];
  const log = libraryLogger(createLogger('info', 'contact-bot', (line) => void lines.push(line)));
  return { log, records: () => lines.map((l) => JSON.parse(l) as { level: string; msg: string; method?: string }) };
}

describe('Web API failures in the log', () => {
  it('name the method, for an HTTP error and for a connection that fails', async () => {
    const slack = await startFakeSlack();
    const { log, records } = captured();
    try {
      slack.fault('views.open', 'unavailable');
      const fast = { retries: 1, minTimeout: 0, maxTimeout: 1 };
      const client = new webApi.WebClient('xoxb-test', { ...webApiOptions(log, slack.url), logger: log, retryConfig: fast });
      await expect(
        client.views.open({ trigger_id: 't', view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] } }),
      ).rejects.toThrow();
      const nowhere = new webApi.WebClient('xoxb-test', {
        ...webApiOptions(log, `http://127.0.0.1:${await freePort()}/api/`),
        logger: log,
        retryConfig: fast,
      });
      await expect(nowhere.chat.postMessage({ channel: 'U1', text: 'hi' })).rejects.toThrow();
    } finally {
      await slack.close();
    }
    const failures = records().filter((r) => r.level !== 'debug');
    expect(failures.map((r) => r.method)).toEqual(['views.open', 'views.open', 'chat.postMessage', 'chat.postMessage']);
    expect(failures.every((r) => r.msg === 'Slack Web API call failed')).toBe(true);
  });
});
