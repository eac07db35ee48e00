import { parse } from 'csv-parse/sync';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { imports } from '../../db/schema.js';
import { findImport, importCounts } from '../../src/audit/import-progress.js';
import { contactStore } from '../../src/emulator/contacts.js';
import { NOT_YOUR_IMPORT } from '../../src/slack/listeners/actions/cancel-import.js';
import { sleep, startEndpoint, startFaultProxy, type Endpoint, type FaultProxy } from '../reliability/harness.js';
import { SIGNING_SECRET, startTestBot, type TestBot } from '../support/bot.js';
import { testTargets } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { startFakeSlack, type FakeSlack, type SlackCall } from '../support/fake-slack.js';
import { mobiles, shownMessage, submittedImport } from '../support/imports.js';
import { appHomeOpened, buttonClick, postSigned, postSignedEvent } from '../support/slack-requests.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

type Block = { type: string; text?: { text: string }; elements?: { action_id: string; value?: string }[] };

/** What a message or view says, blocks and all. */
const textOf = (call: SlackCall) =>
  [
    String(call.args.text ?? ''),
    ...((call.args.blocks ?? (call.args.view as { blocks?: Block[] })?.blocks ?? []) as Block[]).map((b) => b.text?.text ?? ''),
  ].join('\n');

/**
 * The messages of one import as its user saw them: every progress message posted about the file, and every edit of the
 * one the import noted (its channel and ts), in order.
 */
async function importMessages(slack: FakeSlack, bot: TestBot, importId: string) {
  const record = (await findImport(bot.database.db, importId))!;
  const posted = slack.calls.filter((c) => c.method === 'chat.postMessage' && textOf(c).includes(record.fileName));
  const edits = slack.calls.filter((c) => c.method === 'chat.update' && c.args.channel === record.channel && c.args.ts === record.ts);
  return { posted, edits, place: { channel: record.channel, ts: record.ts } };
}

/** The uploaded CSV of the rows not created, read as records under its header. */
function uploadedReport(slack: FakeSlack, fileId: string): Record<string, string>[] {
  const [header, ...records] = parse(slack.uploads.get(fileId) ?? '', { bom: true }) as string[][];
  expect(header).toEqual(['line', 'salutation', 'first_name', 'last_name', 'phone', 'country', 'extension', 'reason']);
  return records.map((fields) => Object.fromEntries(header!.map((name, i) => [name, fields[i] ?? ''])));
}

/** The one file completed into `channel` for this import's report, by its title. */
async function reportUpload(slack: FakeSlack, fileName: string): Promise<{ fileId: string; call: SlackCall }> {
  const call = await slack.waitFor('files.completeUploadExternal', (c) =>
    (c.args.files as { title?: string }[]).some((f) => f.title?.includes(fileName)),
  );
  return { fileId: (call.args.files as { id: string }[])[0]!.id, call };
}

const doneImport = (bot: TestBot, importId: string, timeoutMs = 30_000) =>
  eventually(async () => ((await findImport(bot.database.db, importId))?.status === 'done' ? true : undefined), timeoutMs, 'import done');

describe.each(testTargets())("an import's progress message on $name", (target) => {
  let slack: FakeSlack;
  let endpoint: Endpoint;
  let proxy: FaultProxy;
  let bot: TestBot;

  beforeAll(async () => {
    slack = await startFakeSlack();
    endpoint = await startEndpoint(target);
    // Each call takes a while, so the import's 14 requests in batches of 2 take a few seconds, as a big one takes minutes.
    proxy = await startFaultProxy(endpoint.emulator.url, () => ({ kind: 'pass', delayMs: 500 }));
    bot = await startTestBot(target, slack, { ...endpoint.env(proxy.url), KORE_BATCH_SIZE: '2' });
  });
  afterAll(async () => {
    await bot?.close();
    await proxy?.close();
    await endpoint?.close();
    await slack?.close();
  });

  it('is posted once, edited in place at most every 2 s as rows settle, and ends with the summary and a CSV of the rows not created', async () => {
    // A number the contacts store holds already: its row comes back a duplicate.
    const taken = await contactStore(endpoint.database.db, endpoint.identity).create([
      {
        salutation: '',
        firstName: 'Already',
        lastName: 'There',
        cellPhone: { phoneNumber: '9876510005', countryCode: '+91', extension: '' },
      },
    ]);
    expect(taken.status).toBe(200);
    const phones = mobiles(10002, 16);
    const inputs = phones.map((phone, i) => ({ firstName: `Lead${i + 2}`, lastName: 'Sharma', phone }));
    inputs[6] = { firstName: 'Bad', lastName: 'Number', phone: '12' }; // line 8
    inputs[10] = { firstName: 'Again', lastName: 'Sharma', phone: phones[1]! }; // line 12 repeats line 3
    const { importId, preview } = await submittedImport(bot.database.db, { userId: 'U1', fileName: 'leads.csv', inputs });
    expect([preview.ready.length, preview.invalid.length, preview.repeated.length]).toEqual([14, 1, 1]);

    await doneImport(bot, importId);
    const { posted, edits, place } = await importMessages(slack, bot, importId);
    expect(posted).toHaveLength(1);
    const [post] = posted;
    expect(post!.args.channel).toBe('U1');
    expect(place.channel).toBe('U1');
    expect(textOf(post!)).toContain(':inbox_tray: Importing contacts from *leads.csv*');
    // At least one edit while rows were on their way, then the summary, all of the same message: no other was edited.
    expect(edits.length).toBeGreaterThanOrEqual(2);
    expect(slack.calls.filter((c) => c.method === 'chat.update')).toEqual(edits);
    const shown = [post!, ...edits];
    for (let i = 1; i < shown.length; i++) expect(shown[i]!.at - shown[i - 1]!.at).toBeGreaterThanOrEqual(2_000);
    // Edited only when a figure changed.
    const tallies = shown.map((call) => textOf(call).split('\n')[2]);
    for (let i = 1; i < tallies.length; i++) expect(tallies[i]).not.toBe(tallies[i - 1]);
    expect(textOf(edits[edits.length - 2]!)).toMatch(/▓*░+ \d+ %/);
    expect(edits[edits.length - 2]!.args.blocks).toContainEqual(
      expect.objectContaining({ type: 'actions', elements: [expect.objectContaining({ action_id: 'cancel_import', value: importId })] }),
    );

    // The summary agrees with the contacts store: 13 new contacts next to the one it held.
    const stored = await endpoint.contacts();
    expect(stored).toHaveLength(14);
    const summary = edits[edits.length - 1]!;
    expect(textOf(summary)).toContain('Import finished');
    expect(textOf(summary)).toContain('*leads.csv*: 13 of 16 rows created.');
    expect(textOf(summary)).toContain('13 created · 1 duplicate · 2 not imported');
    expect(textOf(summary)).toContain('The 3 rows not created are in the CSV file below, each with the reason.');
    expect(summary.args.blocks).not.toContainEqual(expect.objectContaining({ type: 'actions' }));

    // The CSV went to the same DM, and holds exactly the duplicate, the invalid row and the repeat, with their reasons.
    const { fileId, call } = await reportUpload(slack, 'leads.csv');
    expect(call.args.channel_id).toBe('U1');
    expect((call.args.files as { title: string }[])[0]!.title).toBe('Rows of leads.csv not created');
    const report = uploadedReport(slack, fileId);
    // The created rows are the other thirteen lines: none of them is in it.
    expect(report.map((r) => r.line)).toEqual(['5', '8', '12']);
    expect(report[0]).toMatchObject({ first_name: 'Lead5', last_name: 'Sharma', phone: '+919876510005' });
    expect(report[0]!.reason).toContain('Not created: the number is already a contact');
    expect(report[1]).toMatchObject({ first_name: 'Bad', last_name: 'Number', phone: '12' });
    expect(report[1]!.reason).toBe(preview.invalid[0]!.reason);
    expect(report[2]).toMatchObject({
      first_name: 'Again',
      phone: phones[1],
      reason: 'Repeats the number on line 3, which is imported instead.',
    });
    expect(slack.uploads.size).toBe(1);

    // The App Home followed the import, and lists it once it is done.
    const homes = () => slack.calls.filter((c) => c.method === 'views.publish' && c.args.user_id === 'U1').map(textOf);
    expect(homes().some((home) => home.includes('Your imports') && home.includes('*leads.csv*\nRunning · '))).toBe(true);
    const done = '*leads.csv*\nDone · 13 created · 1 duplicate · 2 not imported';
    await eventually(async () => (homes().at(-1)?.includes(done) ? true : undefined), 10_000, 'home refreshed when done');
    const before = slack.calls.length;
    expect((await postSignedEvent(bot.events, SIGNING_SECRET, appHomeOpened('U1'))).status).toBe(200);
    const opened = await slack.waitFor('views.publish', (c) => c.args.user_id === 'U1' && slack.calls.indexOf(c) >= before);
    expect(textOf(opened)).toContain(done);
    // The import is listed as one: its rows are not the user's recent requests.
    expect(textOf(opened)).not.toContain('Sharma');
    expect(bot.logs.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('tries a refused report again at the next looks, without editing the summary again, until it is uploaded', async () => {
    slack.fault('files.getUploadURLExternal', { error: 'fatal_error' });
    const from = slack.calls.length;
    const inputs = [
      ...mobiles(50001, 2).map((phone, i) => ({ firstName: `Late${i}`, lastName: 'Das', phone })),
      { firstName: 'No', lastName: 'Phone', phone: '' },
    ];
    const { importId } = await submittedImport(bot.database.db, { userId: 'U4', fileName: 'late.csv', inputs });
    const refusals = () => slack.calls.slice(from).filter((c) => c.method === 'files.getUploadURLExternal').length;
    await eventually(async () => (refusals() >= 3 ? true : undefined), 20_000, 'the upload tried three times');
    expect((await findImport(bot.database.db, importId))?.status).toBe('running');
    expect(
      bot.logs.filter((line) => line.msg === "could not show an import's progress" && line.import === importId).length,
    ).toBeGreaterThanOrEqual(2);

    slack.fault('files.getUploadURLExternal', undefined);
    await doneImport(bot, importId);
    const { fileId } = await reportUpload(slack, 'late.csv');
    expect(uploadedReport(slack, fileId).map((r) => r.line)).toEqual(['4']);
    // Posted as the summary already when the rows were done before the first look, else edited to it: once either way.
    const { posted, edits } = await importMessages(slack, bot, importId);
    const summaries = [...posted, ...edits].filter((c) => textOf(c).includes('Import finished'));
    expect(summaries).toHaveLength(1);
    expect(textOf(summaries[0]!)).toContain('*late.csv*: 2 of 3 rows created.');
  });

  it('gives up a report Slack still refuses a day after the submit: the import is done, and the trail has every outcome', async () => {
    slack.fault('files.getUploadURLExternal', { error: 'missing_scope' });
    try {
      const inputs = [
        { firstName: 'Old', lastName: 'Das', phone: mobiles(60001, 1)[0]! },
        { firstName: 'No', lastName: 'Phone', phone: '' },
      ];
      const { importId } = await submittedImport(bot.database.db, { userId: 'U5', fileName: 'stale.csv', inputs });
      await bot.database.db.update(imports).set({ submittedAt: sql`now() - interval '25 hours'` }).where(eq(imports.id, importId));
      await doneImport(bot, importId);
      expect(await importCounts(bot.database.db, importId)).toEqual({ created: 1 });
      expect(bot.logs.some((line) => line.msg.startsWith("gave up showing an import's progress") && line.import === importId)).toBe(true);
    } finally {
      slack.fault('files.getUploadURLExternal', undefined);
    }
  });
});

describe.each(testTargets())('cancelling an import on $name', (target) => {
  let slack: FakeSlack;
  let bot: TestBot;

  beforeAll(async () => {
    slack = await startFakeSlack();
    // Two calls of two contacts a minute: an import's first four rows go at once, and the rest wait for the window.
    bot = await startTestBot(target, slack, { KORE_RATE_LIMIT_PER_MIN: '2', KORE_BATCH_SIZE: '2', ADMIN_USER_IDS: 'UADMIN' });
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.close();
  });

  const click = (userId: string, importId: string) =>
    postSigned(bot.events, SIGNING_SECRET, buttonClick({ actionId: 'cancel_import', value: importId, userId }));
  const ephemeralTo = (userId: string, text: string) =>
    slack.waitFor('chat.postEphemeral', (c) => c.args.user === userId && String(c.args.text).includes(text));

  it('by its user settles the waiting rows cancelled, says so in the summary and lists them in the CSV; nobody else may', async () => {
    const inputs = mobiles(20001, 10).map((phone, i) => ({ firstName: `Wait${i}`, lastName: 'Rao', phone }));
    const { importId } = await submittedImport(bot.database.db, { userId: 'U1', fileName: 'queue.csv', inputs });
    // The budget is spent after four rows: the message shows six waiting, and about how long they will.
    const waiting = await shownMessage(slack, (text) => text.includes('queue.csv') && text.includes('4 created · 6 waiting'));
    expect(textOf(waiting)).toMatch(/About \d+ min left/);

    // Another agent's click changes nothing, and tells them why.
    expect((await click('U2', importId)).status).toBe(200);
    await ephemeralTo('U2', NOT_YOUR_IMPORT);
    expect(await importCounts(bot.database.db, importId)).toEqual({ created: 4, pending: 6 });
    expect((await findImport(bot.database.db, importId))?.cancelledBy).toBeNull();
    // While nothing changes (the budget's window), the message is left as it is: only the estimate would move.
    await sleep(2_500);
    expect(slack.calls.filter((c) => c.method.startsWith('chat.') && textOf(c).includes('4 created · 6 waiting'))).toHaveLength(1);

    expect((await click('U1', importId)).status).toBe(200);
    await doneImport(bot, importId);
    expect(await importCounts(bot.database.db, importId)).toEqual({ created: 4, cancelled: 6 });
    const { edits, posted } = await importMessages(slack, bot, importId);
    expect(posted).toHaveLength(1);
    const summary = edits[edits.length - 1]!;
    expect(textOf(summary)).toContain('Import cancelled');
    expect(textOf(summary)).toContain('*queue.csv*: 4 of 10 rows created.\n4 created · 6 cancelled\nCancelled by <@U1>.');
    const report = uploadedReport(slack, (await reportUpload(slack, 'queue.csv')).fileId);
    expect(report.map((r) => [r.first_name, r.reason])).toEqual(
      ['Wait4', 'Wait5', 'Wait6', 'Wait7', 'Wait8', 'Wait9'].map((name) => [name, 'Not created: its import was cancelled']),
    );

    // A second click finds it finished and changes nothing: no message, edit or upload more.
    const told = () => slack.calls.filter((c) => /^(chat\.(postMessage|update)|files\.)/.test(c.method)).length;
    const before = told();
    expect((await click('U1', importId)).status).toBe(200);
    await ephemeralTo('U1', 'Every row of this import has been sent already');
    expect(await importCounts(bot.database.db, importId)).toEqual({ created: 4, cancelled: 6 });
    expect(told()).toBe(before);
    expect(bot.logs.filter((line) => line.level === 'error')).toEqual([]);
  });

  it("by an admin, for another user's import", async () => {
    const inputs = mobiles(30001, 3).map((phone, i) => ({ firstName: `Held${i}`, lastName: 'Iyer', phone }));
    // The minute's two calls are spent: every row of this import waits.
    const { importId } = await submittedImport(bot.database.db, { userId: 'U3', fileName: 'admin.csv', inputs });
    await shownMessage(slack, (text) => text.includes('admin.csv') && text.includes('3 waiting'));
    expect((await click('UADMIN', importId)).status).toBe(200);
    await doneImport(bot, importId);
    expect(await importCounts(bot.database.db, importId)).toEqual({ cancelled: 3 });
    const summary = (await importMessages(slack, bot, importId)).edits.at(-1)!;
    expect(textOf(summary)).toContain('*admin.csv*: 0 of 3 rows created.\n3 cancelled\nCancelled by <@UADMIN>.');
  });
});
