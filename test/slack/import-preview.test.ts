import { readFileSync } from 'node:fs';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactRequests, emulatorContacts, imports, requestEvents } from '../../db/schema.js';
import { BOT_TOKEN, SIGNING_SECRET, startTestBot, type TestBot } from '../support/bot.js';
import { testTargets } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { importPreviewView, importSubmission, interactive, postSigned, saveAsContact } from '../support/slack-requests.js';

function countryChange(view: any, country: string) {
  return interactive({
    type: 'block_actions',
    team: { id: 'T1', domain: 'acme' },
    user: { id: 'U1', username: 'agent', team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: 'trigger-country',
    container: { type: 'view', view_id: view.id },
    view: { ...importPreviewView(view.private_metadata, country, view.id), blocks: view.blocks },
    actions: [
      {
        type: 'external_select',
        action_id: 'import_country',
        block_id: 'import_country',
        selected_option: { text: { type: 'plain_text', text: country }, value: country },
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  });
}

const text = (view: any): string => JSON.stringify(view.blocks);

describe.each(testTargets())('importing a shared spreadsheet on $name', (target) => {
  let slack: FakeSlack;
  let bot: TestBot;
  let files = 0;

  /** Shares `content` as a file and runs Save as contact on it; resolves with the view that replaced the loading one. */
  async function share(
    name: string,
    content: string | Buffer,
    mimetype = 'text/csv',
    userId = 'U1',
    shownName: unknown = name,
  ): Promise<any> {
    files += 1;
    const url = slack.serveFile(`F${files}/${name}`, content, BOT_TOKEN);
    const file = { id: `F${files}`, name: shownName, mimetype, size: Buffer.byteLength(content), url_private_download: url };
    const trigger = `t-import-${files}`;
    await postSigned(bot.events, SIGNING_SECRET, saveAsContact(trigger, { text: 'Leads for today', files: [file] }, userId));
    const loading = await slack.waitFor('views.open', (c) => c.args.trigger_id === trigger);
    const opened = slack.calls.indexOf(loading);
    const update = await slack.waitFor(
      'views.update',
      (c) => slack.calls.indexOf(c) > opened && (c.args.view as any)?.callback_id === 'import_contacts',
    );
    return { ...(update.args.view as any), id: update.args.view_id };
  }

  const requestsOf = (importId: string) =>
    bot.database.db.select().from(contactRequests).where(eq(contactRequests.importId, importId)).orderBy(contactRequests.importLine);

  beforeAll(async () => {
    slack = await startFakeSlack();
    bot = await startTestBot(target, slack, { DEFAULT_COUNTRY: 'US' });
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.close();
  });

  it("previews Excel's European CSV (BOM, semicolons) with counts and the first problems by line, and records nothing", async () => {
    const csv =
      '\uFEFFFirst name;Last name;Mobile;Company\r\nPriya;Natarajan;+91 99887 76655;Acme\r\nJohn;Smith;(415) 555-0100;\r\nAna;López;12;\r\nJohn;Smith;415-555-0100;\r\n';
    const view = await share('leads.csv', csv);
    expect(view.title.text).toBe('Import contacts');
    expect(view.submit.text).toBe('Create 2 contacts');
    expect(text(view)).toContain('*2* ready to create');
    expect(text(view)).toContain('*1* invalid');
    expect(text(view)).toContain('*1* repeat a number');
    expect(text(view)).toContain('Line 4: Phone number');
    expect(text(view)).toContain('Line 5: repeats the number on line 3');
    expect(text(view)).toContain('Columns not read: Company');
    const country = view.blocks.find((b: any) => b.block_id === 'import_country');
    expect(country.element.initial_option.value).toBe('US');
    // The modal holds only the draft's key: the rows wait in the database.
    expect(view.private_metadata.length).toBeLessThan(100);
    const [draft] = await bot.database.db.select().from(imports).where(eq(imports.id, view.private_metadata));
    expect(draft?.status).toBe('draft');
    expect(draft?.draft).toHaveLength(4);
    expect(await requestsOf(view.private_metadata)).toEqual([]);
  });

  it('counts again when another country is chosen, and the submit uses the chosen one', async () => {
    const view = await share('uk.csv', 'name,phone\nOliver Brown,07911 123456\nAmelia Jones,+1 415 555 0199\n');
    expect(view.submit.text).toBe('Create 1 contact');
    expect(text(view)).toContain('*1* invalid');
    await postSigned(bot.events, SIGNING_SECRET, countryChange(view, 'GB'));
    const changed = await slack.waitFor('views.update', (c) => c.args.view_id === view.id && c.args.hash === 'h1');
    const updated = changed.args.view as any;
    expect(updated.submit.text).toBe('Create 2 contacts');
    expect(text(updated)).not.toContain('invalid');
    expect(updated.blocks.find((b: any) => b.block_id === 'import_country').element.initial_option.value).toBe('GB');

    const res = await postSigned(bot.events, SIGNING_SECRET, importSubmission(view.private_metadata, 'GB', { viewId: view.id }));
    const ack = (await res.json()) as any;
    expect(ack.response_action).toBe('update');
    expect(JSON.stringify(ack.view)).toContain('Importing 2 contacts from *uk.csv*');
    const rows = await requestsOf(view.private_metadata);
    expect(rows.map((r) => [r.source, r.importLine, r.firstName, r.lastName, r.phoneE164, r.reply])).toEqual([
      ['import', 2, 'Oliver', 'Brown', '+447911123456', { kind: 'import' }],
      ['import', 3, 'Amelia', 'Jones', '+14155550199', { kind: 'import' }],
    ]);
    const recorded = await bot.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(requestEvents)
      .where(
        and(
          eq(requestEvents.kind, 'recorded'),
          sql`${requestEvents.requestId} in (${sql.join(
            rows.map((r) => sql`${r.id}`),
            sql`, `,
          )})`,
        ),
      );
    expect(recorded[0]?.n).toBe(2);
    const metrics = await (await fetch(`${bot.url}/metrics`)).text();
    expect(metrics).toMatch(/^contact_bot_requests_accepted_total\{source="import"\} 2$/m);
    // Delivered like any request, within the budget.
    await eventually(async () => {
      const made = await bot.database.db.select().from(emulatorContacts).where(eq(emulatorContacts.phoneE164, '+447911123456'));
      return made.length === 1 ? true : undefined;
    });
  });

  it('previews and imports a file with NUL and other control characters, without them', async () => {
    const view = await share('nul.csv', 'first name,last name,phone\nRa\u0000vi,Ku\u0001mar,+91 98765 43210\n');
    expect(view.submit.text).toBe('Create 1 contact');
    const ack = (await (
      await postSigned(bot.events, SIGNING_SECRET, importSubmission(view.private_metadata, 'US', { viewId: view.id }))
    ).json()) as any;
    expect(ack.response_action).toBe('update');
    const [row] = await requestsOf(view.private_metadata);
    expect([row?.firstName, row?.lastName]).toEqual(['Ravi', 'Kumar']);
  });

  it('shows a forged file name of 5,000 characters cut to fit, and a name that is not text as "the file"', async () => {
    const csv = 'name,phone\nRavi Kumar,+91 98765 43210\n';
    const long = await share('long.csv', csv, 'text/csv', 'U1', `${'&'.repeat(5_000)}.csv`);
    expect(long.blocks[0].text.text.length).toBeLessThanOrEqual(3_000);
    expect(long.blocks[0].text.text).toMatch(/^\*(&amp;){119}…\*: \*1\* ready to create\.$/);
    const odd = await share('odd.csv', csv, 'text/csv', 'U1', { forged: true });
    expect(odd.blocks[0].text.text).toBe('*the file*: *1* ready to create.');
  });

  it('takes a second submit of the same preview as the first, and refuses it to another user', async () => {
    const view = await share('twice.csv', 'first name,last name,phone\nHannah,Schmidt,+49 151 23456789\n');
    const other = await postSigned(
      bot.events,
      SIGNING_SECRET,
      importSubmission(view.private_metadata, 'US', { userId: 'U2', viewId: view.id }),
    );
    expect(((await other.json()) as any).errors.import_country).toContain('no longer open');
    expect(await requestsOf(view.private_metadata)).toEqual([]);
    const first = (await (
      await postSigned(bot.events, SIGNING_SECRET, importSubmission(view.private_metadata, 'US', { viewId: view.id }))
    ).json()) as any;
    const second = (await (
      await postSigned(bot.events, SIGNING_SECRET, importSubmission(view.private_metadata, 'US', { viewId: view.id }))
    ).json()) as any;
    expect(second).toEqual(first);
    expect(await requestsOf(view.private_metadata)).toHaveLength(1);
  });

  it('refuses a file of more than 5,000 rows with the limit, and keeps no draft', async () => {
    const rows = Array.from({ length: 5_001 }, (_, i) => `Agent ${i},Lead,+1 415 555 ${String(i % 10_000).padStart(4, '0')}`);
    const before = await bot.database.db.select({ n: sql<number>`count(*)::int` }).from(imports);
    const view = await share('big.csv', `name,surname,phone\n${rows.join('\n')}\n`);
    expect(view.submit).toBeUndefined();
    expect(text(view)).toContain('5,000');
    const after = await bot.database.db.select({ n: sql<number>`count(*)::int` }).from(imports);
    expect(after[0]?.n).toBe(before[0]?.n);
  });

  it('previews a .vcf of several cards as an import', async () => {
    const card = (given: string, family: string, tel: string) =>
      `BEGIN:VCARD\r\nVERSION:3.0\r\nN:${family};${given};;;\r\nFN:${given} ${family}\r\nTEL;TYPE=CELL:${tel}\r\nEND:VCARD\r\n`;
    const vcf =
      card('Jan', 'Kowalski', '+48 601 234 567') +
      card('Lucía', 'García', '+34 612 34 56 78') +
      card('Siobhán', "O'Brien", '+44 7911 123457');
    const view = await share('team.vcf', vcf, 'text/vcard');
    expect(view.submit.text).toBe('Create 3 contacts');
    expect(text(view)).toContain('*team.vcf*');
  });

  it('keeps the single form for a .vcf of one card', async () => {
    const vcf = readFileSync(new URL('../fixtures/cards/apple-3.0.vcf', import.meta.url), 'utf8');
    const url = slack.serveFile('F-one/apple.vcf', vcf, BOT_TOKEN);
    const file = { id: 'F-one', name: 'apple.vcf', mimetype: 'text/vcard', size: vcf.length, url_private_download: url };
    await postSigned(bot.events, SIGNING_SECRET, saveAsContact('t-one-card', { text: 'Leads for today', files: [file] }));
    const update = await slack.waitFor('views.update', (c) => (c.args.view as any)?.blocks?.some((b: any) => b.block_id === 'first_name'));
    expect((update.args.view as any).callback_id).toBe('add_contact');
  });
});
