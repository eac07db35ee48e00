import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FILE_LINES_CAP, LINE_CAP, TEXT_CAP, TextBudget, withinCaps } from '../../src/contact/caps.js';
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
