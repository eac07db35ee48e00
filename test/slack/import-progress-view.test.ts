import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  importHomeLine,
  importProgressMessage,
  importSummaryMessage,
  progressBar,
  type ImportShown,
} from '../../src/slack/views/import-progress.js';
import { escapeMrkdwn } from '../../src/slack/views/mrkdwn.js';

const IMPORT: ImportShown = { id: 'imp-1', fileName: 'leads.csv', requests: 25, notImportedCount: 3, cancelledBy: null };

type Block = { type: string; text?: { text: string }; elements?: Button[] };
type Button = { action_id: string; value?: string; style?: string; confirm?: { title: { text: string }; confirm: { text: string } } };

const blocksOf = (message: { blocks: unknown[] }) => message.blocks as Block[];
const sectionText = (message: { blocks: unknown[] }) =>
  blocksOf(message)
    .filter((b) => b.type === 'section')
    .map((b) => b.text?.text ?? '')
    .join('\n');
const buttonsOf = (message: { blocks: unknown[] }) => blocksOf(message).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));

describe("an import's progress message", () => {
  it('shows the file, a bar, the figures that are not 0, refused as both refusals, and the time left', () => {
    const counts = { created: 10, duplicate: 1, rejected: 1, unauthorized: 1, pending: 12 };
    const message = importProgressMessage(IMPORT, counts, 130_000);
    const text = sectionText(message);
    expect(text).toBe(
      [
        ':inbox_tray: Importing contacts from *leads.csv*',
        '▓▓▓▓▓░░░░░ 52 %',
        '10 created · 1 duplicate · 2 refused · 12 waiting · 3 not imported',
        'About 2 min left',
      ].join('\n'),
    );
    expect(message.text).toBe(text);
    expect(text).not.toMatch(/failed|cancelled/);
  });

  it('offers Cancel import, confirmed first, carrying the import id, while rows wait', () => {
    const [cancel, ...others] = buttonsOf(importProgressMessage(IMPORT, { pending: 25 }, 5_000));
    expect(others).toEqual([]);
    expect(cancel).toMatchObject({ action_id: 'cancel_import', value: 'imp-1', style: 'danger' });
    expect(cancel!.confirm?.title.text).toBe('Cancel this import?');
    expect(cancel!.confirm?.confirm.text).toBe('Cancel import');
    expect(sectionText(importProgressMessage(IMPORT, { pending: 25 }, 5_000))).toContain('Less than a minute left');
  });

  it('once cancelled says by whom, and offers no Cancel button, while the rows on their way finish', () => {
    const message = importProgressMessage({ ...IMPORT, cancelledBy: 'U9' }, { created: 4, cancelled: 19, pending: 2 }, 60_000);
    expect(buttonsOf(message)).toEqual([]);
    const text = sectionText(message);
    expect(text).toContain('4 created · 19 cancelled · 2 waiting · 3 not imported');
    expect(text).toContain('Cancelled by <@U9>');
    expect(text).not.toContain('left');
  });

  it('a file name is shown as text, whatever it holds', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 255, unit: 'grapheme' }), (fileName) => {
        const message = importProgressMessage({ ...IMPORT, fileName }, { created: 1, pending: 24 }, 1_000);
        const text = sectionText(message);
        expect(text).toContain(`*${escapeMrkdwn(fileName)}*`);
        expect(text).not.toMatch(/[<>]/);
        expect(sectionText(importSummaryMessage({ ...IMPORT, fileName }, { created: 25 }))).not.toMatch(/[<>]/);
      }),
    );
    const hostile = sectionText(
      importProgressMessage({ ...IMPORT, fileName: '<!channel> & <https://evil.example|x>.csv' }, { pending: 25 }),
    );
    expect(hostile).toContain('*&lt;!channel&gt; &amp; &lt;https://evil.example|x&gt;.csv*');
  });
});

describe("an import's summary", () => {
  it('gives the rows created of the file, every figure not 0, and points to the CSV of the others', () => {
    const message = importSummaryMessage(IMPORT, { created: 20, duplicate: 2, rejected: 1, failed: 2 });
    expect(blocksOf(message)[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Import finished' } });
    expect(sectionText(message)).toBe(
      [
        '*leads.csv*: 20 of 28 rows created.',
        '20 created · 2 duplicate · 1 refused · 2 failed · 3 not imported',
        'The 8 rows not created are in the CSV file below, each with the reason.',
      ].join('\n'),
    );
    expect(buttonsOf(message)).toEqual([]);
    expect(message.text).toBe(`Import finished\n${sectionText(message)}`);
  });

  it('says who cancelled it, and counts the cancelled rows among those in the CSV', () => {
    const message = importSummaryMessage({ ...IMPORT, notImportedCount: 0, cancelledBy: 'U9' }, { created: 5, cancelled: 20 });
    expect(blocksOf(message)[0]?.text?.text).toBe('Import cancelled');
    expect(sectionText(message)).toBe(
      [
        '*leads.csv*: 5 of 25 rows created.',
        '5 created · 20 cancelled',
        'Cancelled by <@U9>.',
        'The 20 rows not created are in the CSV file below, each with the reason.',
      ].join('\n'),
    );
  });

  it('mentions no CSV when every row was created', () => {
    const text = sectionText(importSummaryMessage({ ...IMPORT, requests: 1, notImportedCount: 0 }, { created: 1 }));
    expect(text).toBe('*leads.csv*: 1 of 1 row created.\n1 created');
  });
});

describe('the progress bar', () => {
  it.each([
    [25, {}, '▓▓▓▓▓▓▓▓▓▓ 100 %'],
    [25, { pending: 25 }, '░░░░░░░░░░ 0 %'],
    [1000, { pending: 1 }, '▓▓▓▓▓▓▓▓▓░ 99 %'],
    [3, { pending: 2 }, '▓▓▓░░░░░░░ 33 %'],
    [0, {}, '▓▓▓▓▓▓▓▓▓▓ 100 %'],
  ])('%i requests, %o → %s', (requests, counts, bar) => {
    expect(progressBar({ requests }, counts)).toBe(bar);
  });
});

describe('an import in the App Home', () => {
  const createdAt = new Date('2025-03-04T05:06:00Z');
  const when = '<!date^1741064760^{date_short_pretty} at {time}|2025-03-04 05:06 UTC>';

  it('running, from the figures its message last showed; all waiting before it was first shown', () => {
    const running = { ...IMPORT, status: 'running' as const, shown: { created: 5, pending: 20 }, createdAt };
    expect(importHomeLine(running)).toBe(`*leads.csv*\nRunning · ▓▓░░░░░░░░ 20 % · 5 created · 20 waiting · 3 not imported · ${when}`);
    expect(importHomeLine({ ...running, shown: null })).toBe(
      `*leads.csv*\nRunning · ░░░░░░░░░░ 0 % · 25 waiting · 3 not imported · ${when}`,
    );
  });

  it('cancelled, and done with its figures', () => {
    const done = { ...IMPORT, status: 'done' as const, shown: { created: 22 }, createdAt };
    expect(importHomeLine(done)).toBe(`*leads.csv*\nDone · 22 created · 3 not imported · ${when}`);
    expect(importHomeLine({ ...done, cancelledBy: 'U9', shown: { created: 2, cancelled: 20 } })).toBe(
      `*leads.csv*\nCancelled by <@U9> · 2 created · 20 cancelled · 3 not imported · ${when}`,
    );
    expect(importHomeLine({ ...done, status: 'running', cancelledBy: 'U9', shown: { created: 2, cancelled: 20, pending: 3 } })).toContain(
      'Cancelled by <@U9>, finishing · ▓▓▓▓▓▓▓▓░░ 88 % · 2 created · 20 cancelled · 3 waiting',
    );
  });
});
