/**
 * 4c. Worst-case parse at the caps (the README's parsing caps, issue 9): the hostile shapes that were quadratic, at the
 * largest size each parser is given — 8,000 characters of message or typed text, a 256 KiB vCard file —
 * and the shapes real exports reach there: an address book of many numbers a card, and ten such files
 * on one message (its files share one budget, so a message costs what one file does).
 */
import { performance } from 'node:perf_hooks';
import { parseCard, type MessageCard } from '../src/contact/card.js';
import { TEXT_CAP } from '../src/contact/caps.js';
import { parseContactText } from '../src/contact/text.js';

/** The download cap (src/slack/download.ts): the largest vCard file the parser is ever given. */
const VCARD_FILE_CAP = 256 * 1024;
export const PARSE_GOAL_MS = 20;

const fill = (unit: string, length = TEXT_CAP) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
const vcard = (body: string) => `BEGIN:VCARD\r\nVERSION:2.1\r\nN:Natarajan;Priya\r\n${body}\r\nTEL;CELL:+91 99887 76655\r\nEND:VCARD\r\n`;
const vcardOf = (line: (n: number) => string) => vcard(line(VCARD_FILE_CAP)).slice(0, VCARD_FILE_CAP);

const SHAPES: [label: string, parse: () => unknown][] = [
  ['typed text: `(` run then digits', () => parseContactText(`${'('.repeat(TEXT_CAP - 7)}1234567`)],
  ['typed text: digits and spaces', () => parseContactText(fill('1 '))],
  ['typed text: `x1 ` extensions', () => parseContactText(fill('1 x1 '))],
  ['typed text: punctuation', () => parseContactText(`a${fill('!-,(+= ', TEXT_CAP - 2)}a`)],
  ['message: `(` lines then digits', () => parseCard({ text: fill(`${'('.repeat(990)}1234567\n`) })],
  ['message: label words', () => parseCard({ text: fill(`Name: ${fill(' name, phone:', 990)}\n`) })],
  ['message: commas and dashes', () => parseCard({ text: fill(`Name: Priya${fill(', -', 980)}x\n`) })],
  ['message: numbers on every line', () => parseCard({ text: fill('Priya N – +91 99887 76655\n') })],
  ['message: markup', () => parseCard({ text: fill('*_<tel:1|1> <@U1> :x: &amp;_*') })],
  ['message: blocks, fields and text', () => parseCard(blocksAtTheCap())],
  [
    'vCard 256 KiB: QP soft breaks after 1 KB of parameters',
    () => parseCard({ vcards: [vcardOf((n) => `NOTE;${fill('X-P=a;', 1_000)}ENCODING=QUOTED-PRINTABLE:${fill('=\r\n', n)}`)] }),
  ],
  ['vCard 256 KiB: FN of `(` then digits', () => parseCard({ vcards: [vcardOf((n) => `FN:${'('.repeat(n)}1234567`)] })],
  ['vCard 256 KiB: TEL lines', () => parseCard({ vcards: [vcardOf((n) => fill('TEL;TYPE=work:+1 555 0100\r\n', n))] })],
  ['vCard 256 KiB: folded PHOTO', () => parseCard({ vcards: [vcardOf((n) => `PHOTO;ENCODING=BASE64:${fill('\r\n AAAA', n)}`)] })],
  [
    'vCard 256 KiB: one card after another',
    () => parseCard({ vcards: [fill('BEGIN:VCARD\r\nFN:Jo Bloggs\r\nTEL:+1 555 0100\r\nEND:VCARD\r\n', VCARD_FILE_CAP)] }),
  ],
  ['vCard 256 KiB: address book, 100 cards × 50 TEL lines', () => parseCard({ vcards: [ADDRESS_BOOK] })],
  ['vCard 256 KiB × 10 on one message: address books', () => parseCard({ vcards: Array.from({ length: 10 }, () => ADDRESS_BOOK) })],
  [
    'vCard 256 KiB: bare 2.1 parameters',
    () => parseCard({ vcards: [vcardOf((n) => fill('TEL;CELL;PREF;VOICE;HOME:+1 555 0100\r\n', n))] }),
  ],
  [
    'vCard 256 KiB: 100 cards, 1,000-character FN',
    () =>
      parseCard({
        vcards: [
          fill(`BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${fill('Priya Natarajan ', 1_000)}\r\nTEL:+1 555 0100\r\nEND:VCARD\r\n`, VCARD_FILE_CAP),
        ],
      }),
  ],
];

/**
 * The shape an address-book export has, at the download cap: 100 cards of 50 numbers each, as a
 * reviewer found it (issue 9, review finding 6). Each card is about 2.5 KB, so 100 nearly fill 256 KiB.
 */
const ADDRESS_BOOK = Array.from(
  { length: 100 },
  (_, card) =>
    `BEGIN:VCARD\r\nVERSION:3.0\r\nN:Natarajan;Priya ${card};;;\r\nFN:Priya ${card} Natarajan\r\n${'TEL;TYPE=cell;TYPE=voice;PREF=1:+1 212 555 0123\r\n'.repeat(50)}END:VCARD\r\n`,
)
  .join('')
  .slice(0, VCARD_FILE_CAP);

function blocksAtTheCap(): MessageCard {
  const block = fill('*Name:* Priya Natarajan, Mobile: (((+91 99887 76655 x1\n', 1_000);
  return { blockTexts: Array.from({ length: 50 }, () => block), fields: [{ title: 'Name', value: block }], text: block };
}

export interface ParseResult {
  worstMs: number;
  perShape: { label: string; ms: number }[];
}

/** Each shape's median of `runs` parses, after one warm-up parse. */
export function worstCaseParse(runs = 5): ParseResult {
  const perShape = SHAPES.map(([label, parse]) => {
    parse();
    const times = Array.from({ length: runs }, () => {
      const t0 = performance.now();
      parse();
      return performance.now() - t0;
    }).sort((a, b) => a - b);
    return { label, ms: times[Math.floor(runs / 2)]! };
  });
  return { worstMs: Math.max(...perShape.map((shape) => shape.ms)), perShape };
}
