import { describe, expect, it } from 'vitest';
import { downloadVCard, slackFileOrigins } from '../../src/slack/download.js';
import { startFakeSlack } from '../support/fake-slack.js';

const TOKEN = 'xoxb-download-test';

describe('downloading a card file', () => {
  it("sends the bot token only over https to Slack's file host, never in the clear", async () => {
    const origins = slackFileOrigins(undefined);
    for (const url of [
      'http://files.slack.com/files-pri/T1-F1/card.vcf',
      'https://files.slack.com.evil.example/card.vcf',
      'https://files.slack.com:8443/card.vcf',
    ]) {
      await expect(downloadVCard({ url_private_download: url }, TOKEN, origins)).rejects.toThrow('the file is not on Slack');
    }
  });

  it("reads from SLACK_API_URL's origin (scheme, host and port), as tests and proxies use it", async () => {
    const slack = await startFakeSlack();
    try {
      const origins = slackFileOrigins(slack.url);
      const url = slack.serveFile('F1/card.vcf', 'BEGIN:VCARD\r\nFN:Ana\r\nEND:VCARD\r\n', TOKEN);
      expect(await downloadVCard({ url_private_download: url, size: 30 }, TOKEN, origins)).toContain('FN:Ana');
      const otherPort = url.replace(/:(\d+)\//, (_m, port: string) => `:${Number(port) + 1}/`);
      await expect(downloadVCard({ url_private_download: otherPort }, TOKEN, origins)).rejects.toThrow('the file is not on Slack');
    } finally {
      await slack.close();
    }
  });

  it('refuses a file that says it is larger than the limit without downloading it', async () => {
    await expect(
      downloadVCard({ url_private_download: 'https://files.slack.com/big.vcf', size: 256 * 1024 + 1 }, TOKEN, slackFileOrigins()),
    ).rejects.toThrow('the card file is larger than 256 KiB');
  });
});
