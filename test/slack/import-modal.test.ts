import type { types } from '@slack/bolt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../src/contact/import-file.js';
import { previewImport } from '../../src/contact/import-preview.js';
import { countryByCode } from '../../src/slack/countries.js';
import { importModal } from '../../src/slack/views/import-modal.js';

/** Slack refuses a view with a text object longer than this, and the user sees no preview at all. */
const TEXT_LIMIT = 3_000;

/** The preview of a CSV file as the shortcut shows it. */
async function previewOf(csv: string) {
  const file = await readCsv(new TextEncoder().encode(csv));
  if (!file.ok) throw new Error(file.reason);
  const preview = await previewImport(file.rows, 'IN');
  return importModal({ draftKey: 'k', fileName: 'leads.csv', preview, country: countryByCode('IN')!, ignoredColumns: file.ignored });
}

/** Every text of a view's sections and context blocks. */
function texts(view: Awaited<ReturnType<typeof previewOf>>): string[] {
  return (view.blocks as types.KnownBlock[]).flatMap((block) =>
    block.type === 'section'
      ? [block.text?.text ?? '']
      : block.type === 'context'
        ? block.elements.flatMap((element) => ('text' in element && typeof element.text === 'string' ? [element.text] : []))
        : [],
  );
}

describe("the import preview within Slack's limits", () => {
  it('lists fewer problems when the first 10 would pass 3,000 characters, and counts the rest', async () => {
    // Each reason quotes 40 characters of the country, and each `&` is 5 once escaped.
    const rows = Array.from({ length: 12 }, (_, i) => `Lead ${i},98765 4321${i % 10},${'&'.repeat(60)}`);
    const view = await previewOf(`name,phone,country\n${rows.join('\n')}\n`);
    const problems = texts(view).find((text) => text.includes('Line 2:'))!;
    expect(problems.length).toBeLessThanOrEqual(TEXT_LIMIT);
    const listed = problems.split('\n').filter((line) => line.startsWith('• Line'));
    expect(listed.length).toBeGreaterThan(0);
    expect(problems).toContain(`…and ${12 - listed.length} more.`);
  });

  it('keeps every text within 3,000 characters, whatever the file holds', async () => {
    const text = fc.string({ unit: fc.constantFrom('&', '<', 'a', '1', '9', 'E', '+', ' ', 'é'), maxLength: 300 });
    // What a reason may quote: a country not known, a number Excel wrote in scientific notation.
    const country = fc.oneof(text, fc.string({ unit: fc.constantFrom('&', '<', '>'), minLength: 1, maxLength: 300, size: 'max' }));
    const phone = fc.oneof(
      text,
      fc.string({ unit: fc.constantFrom('1', '9'), minLength: 1, maxLength: 300, size: 'max' }).map((digits) => `${digits}E+11`),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(text, phone, country), { minLength: 10, maxLength: 15 }), async (rows) => {
        const csv = `name,phone,country\n${rows.map((cells) => cells.map((c) => `"${c}"`).join(',')).join('\n')}\n`;
        for (const text of texts(await previewOf(csv))) expect(text.length).toBeLessThanOrEqual(TEXT_LIMIT);
      }),
      { numRuns: 50 },
    );
  });

  it('names the columns not read within 3,000 characters, and counts those left out', async () => {
    const unread = ['N'.repeat(10_000), ...Array.from({ length: 700 }, (_, i) => `Notes ${'&'.repeat(60)} ${i}`)];
    const view = await previewOf(`${unread.join(',')},name,phone\nPriya Natarajan,98765 43210\n`);
    const columns = texts(view).find((text) => text.startsWith('Columns not read:'))!;
    expect(columns.length).toBeLessThanOrEqual(TEXT_LIMIT);
    expect(columns).toContain(`Columns not read: ${'N'.repeat(40)}…, Notes`);
    expect(columns).toMatch(/ and [\d,]+ more$/);
  });
});
