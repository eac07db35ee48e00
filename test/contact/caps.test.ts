import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CARD_PROPERTIES_CAP, CARDS_CAP, FILE_LINES_CAP, LINE_CAP, TEXT_CAP, TextBudget, withinCaps } from '../../src/contact/caps.js';
import { parseCard } from '../../src/contact/card.js';
import { parseVCards } from '../../src/contact/vcard.js';

describe('withinCaps', () => {
  it('leaves text within the caps as it is', () => {
    expect(withinCaps('Name: Priya\r\nMobile: +91 99887 76655\n')).toBe('Name: Priya\nMobile: +91 99887 76655\n');
  });

  it('cuts each line to LINE_CAP and keeps the lines after it', () => {
    expect(withinCaps(`${'a'.repeat(LINE_CAP + 5)}\nPriya`)).toBe(`${'a'.repeat(LINE_CAP)}\nPriya`);
  });

  it('does not split a character made of two code units', () => {
    expect(withinCaps(`${'a'.repeat(LINE_CAP - 1)}😀`)).toBe('a'.repeat(LINE_CAP - 1));
  });

  it('never gives more than TEXT_CAP characters, or a line longer than LINE_CAP', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(3 * LINE_CAP), fc.constantFrom('\n', '\r\n', '\r'))), (lines) => {
        const capped = withinCaps(lines.map(([length, end]) => 'x'.repeat(length) + end).join(''));
        expect(capped.length).toBeLessThanOrEqual(TEXT_CAP);
        for (const line of capped.split('\n')) expect(line.length).toBeLessThanOrEqual(LINE_CAP);
      }),
    );
  });
});

describe('TextBudget', () => {
  it('shares TEXT_CAP among texts in the order they are taken', () => {
    const budget = new TextBudget();
    const first = 'a\n'.repeat(TEXT_CAP / 2 - 1);
    expect(budget.take(first)).toBe(first);
    expect(budget.take('bcdef')).toBe('bc');
    expect(budget.take('more')).toBe('');
  });
});

describe('FILE_LINES_CAP', () => {
  const card = 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Priya Natarajan\r\nTEL;TYPE=cell:+91 99887 76655\r\nEND:VCARD\r\n';
  const junk = (lines: number) => 'X\r\n'.repeat(lines);

  it('reads a card that starts within the first FILE_LINES_CAP lines of a file', () => {
    expect(parseVCards(junk(FILE_LINES_CAP - 10) + card)).toEqual([
      { firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' },
    ]);
  });

  it('does not read past FILE_LINES_CAP lines', () => {
    expect(parseVCards(card + junk(FILE_LINES_CAP) + card.replace('Priya', 'Kavya'))).toEqual([
      { firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' },
    ]);
  });
});

describe("the budget a message's card files share", () => {
  const card = (n: number, tels = 1) =>
    `BEGIN:VCARD\r\nVERSION:3.0\r\nN:Natarajan;Priya ${n};;;\r\nFN:Priya ${n} Natarajan\r\n` +
    Array.from({ length: tels }, (_, t) => `item${t}.TEL:+91 99887 ${String(10_000 + n * 10 + t)}\r\nitem${t}.X-ABLABEL:mobile\r\n`).join(
      '',
    ) +
    'END:VCARD\r\n';
  const book = (from: number, count: number, tels = 1) => Array.from({ length: count }, (_, n) => card(from + n, tels)).join('');
  const first = (n: number) => ({ firstName: `Priya ${n}`, lastName: 'Natarajan', phone: `+91 99887 ${String(10_000 + n * 10)}` });

  it(`stops after ${CARD_PROPERTIES_CAP} name and number lines, the card it is in counting with what it has`, () => {
    // Each card keeps VERSION, N, FN, five TEL and their five labels: 13 lines.
    const drafts = parseVCards(book(0, CARDS_CAP, 50));
    expect(drafts).toHaveLength(Math.ceil(CARD_PROPERTIES_CAP / 13));
    expect(drafts[drafts.length - 1]).toStrictEqual(first(drafts.length - 1));
  });

  it(`reads ${CARDS_CAP} cards from all the files of a message together`, () => {
    const { drafts } = parseCard({ vcards: [book(0, CARDS_CAP - 1), book(1_000, 2), book(2_000, 1)] });
    expect(drafts).toHaveLength(CARDS_CAP);
    expect(drafts[CARDS_CAP - 1]).toStrictEqual(first(1_000));
  });

  it(`reads ${FILE_LINES_CAP} lines from all the files of a message together`, () => {
    const junk = 'X\r\n'.repeat(FILE_LINES_CAP / 2);
    expect(parseCard({ vcards: [junk + card(1), junk + card(2)] }).drafts).toStrictEqual([first(1)]);
  });

  it('shares the budget with vCards pasted into the text, files first', () => {
    expect(parseCard({ vcards: [book(0, CARDS_CAP)], text: card(500) }).drafts).toHaveLength(CARDS_CAP);
  });
});
