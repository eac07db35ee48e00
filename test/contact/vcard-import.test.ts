import { describe, expect, it } from 'vitest';
import { IMPORT_ROW_LIMIT } from '../../src/contact/import-file.js';
import { readImportCards } from '../../src/contact/vcard-import.js';

const card = (i: number, end = 'END:VCARD') =>
  `BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lead${i};Asha;;;\r\nFN:Asha Lead${i}\r\nTEL;TYPE=CELL:+91 98765 ${String(i).padStart(5, '0')}\r\n${end}\r\n`;

describe('the cards of an import', () => {
  it('reads every card of several files in order, across the slices it parses them in', async () => {
    const first = Array.from({ length: 250 }, (_, i) => card(i)).join('');
    const second = Array.from({ length: 3 }, (_, i) => card(250 + i, 'end:vcard')).join('');
    const cards = await readImportCards([first, second]);
    expect(cards).toHaveLength(253);
    expect(cards.map((c) => c.lastName)).toEqual(Array.from({ length: 253 }, (_, i) => `Lead${i}`));
    expect(cards[252]).toEqual({ firstName: 'Asha', lastName: 'Lead252', phone: '+91 98765 00252' });
  });

  it('reads two imports at once, each its own cards, though both take turns of the event loop', async () => {
    const mine = Array.from({ length: 250 }, (_, i) => card(i)).join('');
    const theirs = Array.from({ length: 240 }, (_, i) => card(1_000 + i)).join('');
    const [a, b] = await Promise.all([readImportCards([mine]), readImportCards([theirs])]);
    expect(a.map((c) => c.lastName)).toEqual(Array.from({ length: 250 }, (_, i) => `Lead${i}`));
    expect(b.map((c) => c.lastName)).toEqual(Array.from({ length: 240 }, (_, i) => `Lead${1_000 + i}`));
  });

  it('reads one card past the import limit, so a bigger file is known to be one, and stops there', async () => {
    const text = Array.from({ length: IMPORT_ROW_LIMIT + 50 }, (_, i) => card(i)).join('');
    const cards = await readImportCards([text, card(99_999)]);
    expect(cards).toHaveLength(IMPORT_ROW_LIMIT + 1);
  });

  it('drops control characters (PostgreSQL refuses a NUL in the draft)', async () => {
    const [cardRead] = await readImportCards([card(7).replace('Asha', 'As\u0000ha\u0001')]);
    expect(cardRead).toEqual({ firstName: 'Asha', lastName: 'Lead7', phone: '+91 98765 00007' });
  });

  it('reads a last card left without its END, and nothing from text that is not a card', async () => {
    expect(await readImportCards([`${card(1)}BEGIN:VCARD\r\nFN:Ravi Kumar\r\nTEL:+91 98765 43210\r\n`])).toHaveLength(2);
    expect(await readImportCards(['name,phone\nRavi,+91 98765 43210\n', ''])).toEqual([]);
  });
});
