import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactRequests } from '../../db/schema.js';
import { BOT_TOKEN, SIGNING_SECRET, startTestBot, type TestBot } from '../support/bot.js';
import { testTargets } from '../support/databases.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { modalSubmission, postSigned, saveAsContact } from '../support/slack-requests.js';

function field(view: any, id: string): any {
  return view.blocks.find((b: any) => b.block_id === id)?.element;
}

function note(view: any): string {
  return view.blocks
    .filter((b: any) => b.type === 'context')
    .map((b: any) => b.elements[0].text)
    .join('\n');
}

describe.each(testTargets())('the "Save as contact" shortcut on $name', (target) => {
  let slack: FakeSlack;
  let bot: TestBot;

  beforeAll(async () => {
    slack = await startFakeSlack();
    bot = await startTestBot(target, slack, { DEFAULT_COUNTRY: 'US' });
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.close();
  });

  it('prefills the modal from a plain-text card', async () => {
    const res = await postSigned(
      bot.events,
      SIGNING_SECRET,
      saveAsContact('t-text', { text: 'Contact: Mr. John Smith\nMobile: +44 7700 900123' }),
    );
    expect(res.status).toBe(200);
    const view = (await slack.waitFor('views.open', (c) => c.args.trigger_id === 't-text')).args.view as any;
    expect(view.callback_id).toBe('add_contact');
    expect(field(view, 'salutation').initial_option.value).toBe('Mr');
    expect(field(view, 'first_name').initial_value).toBe('John');
    expect(field(view, 'last_name').initial_value).toBe('Smith');
    expect(field(view, 'phone_number').initial_value).toBe('+44 7700 900123');
    expect(field(view, 'country').initial_option.value).toBe('GB');
    expect(note(view)).toBe('');
  });

  it('prefills the modal from Block Kit fields', async () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'New lead' } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Name:*\nPriya Natarajan' },
          { type: 'mrkdwn', text: '*Mobile:*\n+91 99887 76655' },
        ],
      },
    ];
    await postSigned(bot.events, SIGNING_SECRET, saveAsContact('t-blocks', { text: 'New lead', blocks, bot_id: 'B9' }));
    const view = (await slack.waitFor('views.open', (c) => c.args.trigger_id === 't-blocks')).args.view as any;
    expect([
      field(view, 'first_name').initial_value,
      field(view, 'last_name').initial_value,
      field(view, 'phone_number').initial_value,
    ]).toEqual(['Priya', 'Natarajan', '+91 99887 76655']);
    expect(field(view, 'country').initial_option.value).toBe('IN');
  });

  it('downloads an attached .vcf with the bot token and prefills from it', async () => {
    const vcf = readFileSync(new URL('../fixtures/cards/apple-3.0.vcf', import.meta.url), 'utf8');
    const url = slack.serveFile('F1/apple.vcf', vcf, BOT_TOKEN);
    const files = [
      { id: 'F1', name: 'Aarav Sharma.vcf', mimetype: 'text/vcard', filetype: 'vcard', size: vcf.length, url_private_download: url },
    ];
    await postSigned(bot.events, SIGNING_SECRET, saveAsContact('t-vcf', { text: '', files }));
    const loading = await slack.waitFor('views.open', (c) => c.args.trigger_id === 't-vcf');
    expect(JSON.stringify(loading.args.view)).toContain('Reading the contact card');
    const update = await slack.waitFor('views.update', (c) => (c.args.view as any)?.blocks?.some((b: any) => b.block_id === 'first_name'));
    const view = update.args.view as any;
    expect(field(view, 'salutation').initial_option.value).toBe('Mr');
    expect(field(view, 'first_name').initial_value).toBe('John');
    expect(field(view, 'last_name').initial_value).toBe('Appleseed');
    expect(field(view, 'phone_number').initial_value).toBe('+1 (408) 555-5270');
    expect(field(view, 'country').initial_option.value).toBe('US');
    expect(note(view)).toBe('');
  });

  it('says so when the file cannot be read, and keeps what the text gave', async () => {
    const url = slack.serveFile('F2/card.vcf', 'BEGIN:VCARD\nEND:VCARD', 'xoxb-someone-else');
    const files = [{ id: 'F2', name: 'card.vcf', mimetype: 'text/x-vcard', size: 20, url_private_download: url }];
    await postSigned(bot.events, SIGNING_SECRET, saveAsContact('t-unreadable', { text: 'Name: Ana López\nCell: +34 612 34 56 78', files }));
    const update = await slack.waitFor('views.update', (c) => note(c.args.view).includes('card.vcf'));
    const view = update.args.view as any;
    expect(note(view)).toContain("couldn't read card.vcf");
    expect(field(view, 'first_name').initial_value).toBe('Ana');
    expect(field(view, 'phone_number').initial_value).toBe('+34 612 34 56 78');
  });

  it('stops reading a card file at 256 KiB, whatever size it claims, and says so', async () => {
    const total = 64 * 1024 * 1024;
    const { url, ended } = slack.serveStream('F4/huge.vcf', total, BOT_TOKEN);
    const files = [{ id: 'F4', name: 'huge.vcf', mimetype: 'text/vcard', size: 1_000, url_private_download: url }];
    await postSigned(bot.events, SIGNING_SECRET, saveAsContact('t-huge', { text: 'Name: Ana López\nCell: +34 612 34 56 78', files }));
    const update = await slack.waitFor('views.update', (c) => note(c.args.view).includes('huge.vcf'), 30_000);
    expect(note(update.args.view)).toContain("couldn't read huge.vcf (the card file is larger than 256 KiB)");
    const seen = await ended;
    expect(seen.complete).toBe(false);
    expect(seen.sent).toBeLessThan(total);
  });

  it('shows a file name as text in the note, never as a link', async () => {
    const name = '<https://evil.example/login|Slack: your session expired, sign in again>.vcf';
    const url = slack.serveFile('F3/evil.vcf', 'BEGIN:VCARD\nEND:VCARD', 'xoxb-someone-else');
    const files = [{ id: 'F3', name, mimetype: 'text/vcard', size: 20, url_private_download: url }];
    await postSigned(bot.events, SIGNING_SECRET, saveAsContact('t-evil-name', { text: 'Name: Ana López\nCell: +34 612 34 56 78', files }));
    const update = await slack.waitFor('views.update', (c) => note(c.args.view).includes('evil.example'));
    expect(note(update.args.view)).toContain(
      "couldn't read &lt;https://evil.example/login|Slack: your session expired, sign in again&gt;.vcf",
    );
    expect(note(update.args.view)).not.toMatch(/[<>]/);
  });

  it('opens the empty modal with a note when nothing usable is found', async () => {
    await postSigned(bot.events, SIGNING_SECRET, saveAsContact('t-nothing', { text: 'lunch at noon?' }));
    const view = (await slack.waitFor('views.open', (c) => c.args.trigger_id === 't-nothing')).args.view as any;
    expect(note(view)).toContain("couldn't find a name or number");
    expect(field(view, 'first_name').initial_value).toBeUndefined();
    expect(field(view, 'phone_number').initial_value).toBeUndefined();
  });

  // Forged: Slack's own blocks nest a few levels. 20,000 levels overflowed the stack after the ack, and the user saw nothing.
  it.each([
    ['arrays', (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`],
    [
      'rich text lists',
      (depth: number) =>
        `[{"type":"rich_text","elements":${'[{"type":"rich_text_list","elements":'.repeat(depth)}[]${'}]'.repeat(depth)}}]`,
    ],
  ])('opens the form for a message whose blocks nest 20,000 levels of %s', async (what, nested) => {
    const depth = what === 'arrays' ? 20_000 : 4_000;
    const trigger = `t-deep-${what.replace(/ /g, '-')}`;
    // Spliced in as text: JSON.stringify itself recurses, and would overflow here first.
    const { payload } = saveAsContact(trigger, { text: 'Name: Ana López\nCell: +34 612 34 56 78', blocks: 'NESTED' });
    const body = { payload: payload!.replace('"NESTED"', nested(depth)) };
    expect(new URLSearchParams(body).toString().length).toBeLessThan(256 * 1024);
    expect((await postSigned(bot.events, SIGNING_SECRET, body)).status).toBe(200);
    const view = (await slack.waitFor('views.open', (c) => c.args.trigger_id === trigger)).args.view as any;
    expect(field(view, 'first_name').initial_value).toBe('Ana');
  });

  it('cuts a prefilled value to what its field allows (Slack refuses the whole view otherwise)', async () => {
    const vcf =
      'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Priya Natarajan\r\nN:Natarajan;Priya;;;\r\nTEL:+91 99887 76655 (mobile - after 6pm only)\r\nEND:VCARD\r\n';
    const url = slack.serveFile('F5/priya.vcf', vcf, BOT_TOKEN);
    const files = [{ id: 'F5', name: 'priya.vcf', mimetype: 'text/vcard', size: vcf.length, url_private_download: url }];
    await postSigned(bot.events, SIGNING_SECRET, saveAsContact('t-long-tel', { text: '', files }));
    const update = await slack.waitFor('views.update', (c) => JSON.stringify(c.args.view).includes('Priya'));
    const phone = field(update.args.view, 'phone_number');
    expect(phone.initial_value).toMatch(/^\+91 99887 76655/);
    expect(phone.initial_value.length).toBeLessThanOrEqual(phone.max_length);
    for (const id of ['first_name', 'last_name']) {
      const input = field(update.args.view, id);
      expect(input.initial_value.length).toBeLessThanOrEqual(input.max_length);
    }
  });

  it('prefills the first of several contacts and says how many there are', async () => {
    await postSigned(
      bot.events,
      SIGNING_SECRET,
      saveAsContact('t-many', { text: 'Name: Ravi Kumar\nMobile: +91 98450 12345\n\nName: Sara Ali\nMobile: +971 50 123 4567' }),
    );
    const view = (await slack.waitFor('views.open', (c) => c.args.trigger_id === 't-many')).args.view as any;
    expect(field(view, 'first_name').initial_value).toBe('Ravi');
    expect(note(view)).toContain('2 contacts');
  });

  it('records a submission from the shortcut’s modal as coming from the shortcut', async () => {
    await postSigned(
      bot.events,
      SIGNING_SECRET,
      modalSubmission({ firstName: 'Lena', lastName: 'Fischer', country: 'DE', phone: '0151 23456789' }, { source: 'shortcut' }),
    );
    await slack.waitFor('chat.postMessage', (c) => String(c.args.text).includes('Lena'));
    const [row] = await bot.database.db.select().from(contactRequests).where(eq(contactRequests.firstName, 'Lena'));
    expect(row).toMatchObject({ source: 'shortcut', status: 'created', phoneE164: '+4915123456789' });
  });
});
