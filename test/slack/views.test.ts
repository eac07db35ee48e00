import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ViewOutput } from '@slack/bolt';
import { searchCountries, countryByCode, COUNTRIES } from '../../src/slack/countries.js';
import { contactModal, FIELD_BLOCKS, readContactModal, readModalMetadata } from '../../src/slack/views/contact-modal.js';
import { prefilledModal } from '../../src/slack/prefilled-modal.js';
import { escapeMrkdwn } from '../../src/slack/views/mrkdwn.js';
import { reportMessage, slackStyle } from '../../src/slack/views/report.js';
import { reportRequest, type ReportDeps } from '../../src/audit/report.js';
import type { RequestRow } from '../../src/audit/requests.js';
import { modalValues } from '../support/slack-requests.js';

function submitted(values: Parameters<typeof modalValues>[0], metadata = '{"source":"shortcut"}'): ViewOutput {
  return { state: { values: modalValues(values) }, private_metadata: metadata } as unknown as ViewOutput;
}

describe('the contact modal', () => {
  it('reads back what the agent typed', () => {
    expect(
      readContactModal(
        submitted({ salutation: 'Dr', firstName: 'Priya', lastName: 'Natarajan', country: 'IN', phone: '99887 76655', extension: '12' }),
      ),
    ).toEqual({
      salutation: 'Dr',
      firstName: 'Priya',
      lastName: 'Natarajan',
      phone: '99887 76655',
      extension: '12',
      countryCode: 'IN',
    });
  });

  it('reads a forged or empty submission as empty fields instead of failing', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (state, metadata) => {
        const view = { state, private_metadata: metadata } as unknown as ViewOutput;
        const input = readContactModal(view);
        for (const value of Object.values(input)) expect(['string', 'undefined']).toContain(typeof value);
        expect(['slash', 'shortcut', 'home']).toContain(readModalMetadata(view).source);
      }),
    );
  });

  it('keeps the source it was opened from', () => {
    expect(readModalMetadata(submitted({}))).toEqual({ source: 'shortcut' });
    expect(readModalMetadata(submitted({}, 'not json'))).toEqual({ source: 'slash' });
  });

  it('prefills the country from the number, even one that is not valid, else the default', () => {
    const country = (phone?: string) => {
      const view = prefilledModal({ phone }, 'IN', { source: 'slash' });
      return (view.blocks.find((b) => b.block_id === FIELD_BLOCKS.country) as any).element.initial_option.value;
    };
    expect(country('+44 7400 123456')).toBe('GB');
    expect(country('+1 555 0100 1234')).toBe('US');
    expect(country('040 1234 5678')).toBe('IN');
    expect(country(undefined)).toBe('IN');
  });

  it('shows a note above the fields when there is one', () => {
    const view = contactModal({}, countryByCode('US')!, { source: 'shortcut' }, 'Nothing found');
    expect(view.blocks[0]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Nothing found' }] });
  });
});

describe('user text in mrkdwn', () => {
  const unescaped = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

  it('escapes &, < and > so that nothing becomes a link or mention, and reads back as it was', () => {
    const tricky = fc.string({
      unit: fc.constantFrom('&', '<', '>', '!', '@', '|', 'a', ' ', '&amp;', '&lt;', '&gt;', ';', '<!channel>', '<https://x|y>'),
    });
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), tricky), (text) => {
        const escaped = escapeMrkdwn(text);
        expect(escaped).not.toMatch(/[<>]/);
        expect(unescaped(escaped)).toBe(text);
      }),
      { numRuns: 1_000 },
    );
  });

  it("shows a name and the endpoint's messages in a report as text, keeping the report's own markup", async () => {
    const row = {
      id: 1,
      source: 'slash',
      status: 'rejected',
      salutation: null,
      firstName: '<!channel>',
      lastName: 'Bose & <https://evil.example|Sons>',
      phoneE164: '+919876543210',
      extension: null,
      error: { messages: ['name <@U0BADBAD> is not allowed'] },
    } as unknown as RequestRow;
    const { text, blocks } = reportMessage(await reportRequest(undefined as unknown as ReportDeps, row, slackStyle));
    const section = JSON.stringify(blocks);
    for (const shown of [text, section]) {
      expect(shown).toContain('&lt;!channel&gt; Bose &amp; &lt;https://evil.example|Sons&gt;');
      expect(shown).toContain('name &lt;@U0BADBAD&gt; is not allowed');
      expect(shown).not.toMatch(/<!channel>|<https:|<@U0BADBAD>/);
      expect(shown).toContain('*+91 98765 43210*');
    }
  });
});

describe('a report as a message', () => {
  it("keeps its section within Slack's 3,000 characters however many messages the endpoint sent", async () => {
    const messages = Array.from({ length: 30 }, (_, i) => `${i}: ${'x'.repeat(290)}`);
    const row = {
      id: 1,
      source: 'slash',
      status: 'rejected',
      salutation: null,
      firstName: 'Priya',
      lastName: 'Natarajan',
      phoneE164: '+919876543210',
      extension: null,
      error: { messages },
    } as unknown as RequestRow;
    const { blocks } = reportMessage(await reportRequest(undefined as unknown as ReportDeps, row, slackStyle));
    const section = (blocks[1] as { text: { text: string } }).text.text;
    expect(section.length).toBeLessThanOrEqual(3_000);
    expect(section).toContain(`• ${messages[0]}`);
    expect(section.endsWith('\n…')).toBe(true);
    expect(section.split('\n').every((line) => line === '…' || line.startsWith('• ') || line.includes('Priya'))).toBe(true);
  });
});

describe('country search', () => {
  it('knows every region with a label of name and calling code', () => {
    expect(COUNTRIES.length).toBeGreaterThan(240);
    expect(countryByCode('in')?.label).toBe('India +91');
  });

  it.each([
    ['india', 'IN'],
    ['IN', 'IN'],
    ['+44', 'GB'],
    ['44', 'GB'],
    ['united k', 'GB'],
    ['emirates', 'AE'],
  ])('finds %s first as %s', (query, code) => {
    expect(searchCountries(query)[0]?.code).toBe(code);
  });

  it('answers at most 100 options (Slack’s limit) and never throws', () => {
    fc.assert(
      fc.property(fc.string(), (query) => {
        expect(searchCountries(query).length).toBeLessThanOrEqual(100);
      }),
    );
  });
});
