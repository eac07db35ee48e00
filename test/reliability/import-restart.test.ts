import { and, eq, sql } from 'drizzle-orm';
import { describe, it, vi } from 'vitest';
import { contactRequests, requestEvents } from '../../db/schema.js';
import { findImport, importCounts } from '../../src/audit/import-progress.js';
import { startTestBot } from '../support/bot.js';
import { testTargets, type TestTarget } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { mobiles, shownMessage, submittedImport } from '../support/imports.js';
import { startEndpoint, startFaultProxy } from './harness.js';

vi.setConfig({ testTimeout: 90_000 });

/**
 * An instance stops while an import's rows are on their way; another starts on the same database. It sends the rest,
 * and the user's one progress message — the one the first instance posted, found by the channel and ts the import
 * noted — is edited on to the summary. Every row is settled once, and the contacts store holds each number once.
 */
describe('an import across a restart', () => {
  it.concurrent.for(testTargets())(
    'on $name: the restarted instance edits the same message to the summary; every row settled once',
    async (target: TestTarget, { expect, onTestFinished }) => {
      const slack = await startFakeSlack();
      const endpoint = await startEndpoint(target);
      const proxy = await startFaultProxy(endpoint.emulator.url, () => ({ kind: 'pass', delayMs: 400 }));
      const place = await target.scratch();
      onTestFinished(async () => {
        await proxy.close();
        await endpoint.close();
        await slack.close();
        await place.remove();
      });
      const env = { ...endpoint.env(proxy.url), ...place.env, KORE_BATCH_SIZE: '2' };
      const phones = mobiles(40001, 20);

      const first = await startTestBot(target, slack, env);
      const { importId } = await submittedImport(first.database.db, {
        userId: 'U1',
        fileName: 'restart.csv',
        inputs: phones.map((phone, i) => ({ firstName: `Row${i + 2}`, lastName: 'Menon', phone })),
      });
      // Stopped once the message has shown some rows created, with others still to send.
      await shownMessage(slack, (text) => /\d+ created · \d+ waiting/.test(text));
      await first.close();

      const restartedAt = slack.calls.length;
      const second = await startTestBot(target, slack, env);
      onTestFinished(() => second.close());
      const db = second.database.db;
      // Rows were left for the second instance.
      expect((await importCounts(db, importId)).pending).toBeGreaterThan(0);
      await eventually(async () => ((await findImport(db, importId))?.status === 'done' ? true : undefined), 60_000, 'import done');

      const record = (await findImport(db, importId))!;
      const posted = slack.calls.filter((c) => c.method === 'chat.postMessage' && String(c.args.text).includes('restart.csv'));
      const edits = slack.calls.filter((c) => c.method === 'chat.update');
      expect(posted).toHaveLength(1);
      expect(edits.length).toBeGreaterThanOrEqual(2);
      // The second instance posted nothing new, and edited the first one's message.
      expect(posted.every((c) => slack.calls.indexOf(c) < restartedAt)).toBe(true);
      expect(edits.filter((c) => slack.calls.indexOf(c) >= restartedAt).length).toBeGreaterThanOrEqual(1);
      for (const edit of edits) expect({ channel: edit.args.channel, ts: edit.args.ts }).toEqual({ channel: 'U1', ts: record.ts });
      expect(String(edits.at(-1)!.args.text)).toContain('Import finished\n*restart.csv*: 20 of 20 rows created.\n20 created');
      // Every row created, none twice: all twenty were created, each settled by one event, each number held once.
      expect(await importCounts(db, importId)).toEqual({ created: 20 });
      const settled = await db
        .select({ request: requestEvents.requestId, n: sql<number>`count(*)::int` })
        .from(requestEvents)
        .innerJoin(contactRequests, eq(contactRequests.id, requestEvents.requestId))
        .where(and(eq(contactRequests.importId, importId), eq(requestEvents.kind, 'settled')))
        .groupBy(requestEvents.requestId);
      expect(settled).toHaveLength(20);
      expect(settled.every(({ n }) => n === 1)).toBe(true);
      const stored = await endpoint.contacts();
      expect(stored.map((c) => c.phoneE164).sort()).toEqual(phones.map((p) => `+91${p.replace(' ', '')}`).sort());
      // Nothing was left to report: no CSV.
      expect(slack.uploads.size).toBe(0);
      expect(second.logs.filter((line) => line.level === 'error')).toEqual([]);
    },
  );
});
