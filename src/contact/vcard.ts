import { TextDecoder } from 'node:util';
import ICAL from 'ical.js';
import { CardFilesBudget } from './caps.js';
import type { ContactDraft } from './contact.js';
import { cleanPart, salutationOf, withoutEmpty, type DraftName } from './name.js';
import { splitName } from './text.js';
import { eachLogicalLine, headEnd, isQuotedPrintable } from './unfold.js';

type Property = InstanceType<typeof ICAL.Property>;

/**
 * The properties that make a draft, and how many of each a card keeps: a real card has one name and
 * a handful of numbers, and what an address book or a forged file repeats past that is not read.
 * An Apple label (`item1.X-ABLABEL:mobile`) is kept only for a number kept before it, as Apple writes it.
 */
const KEPT_PER_CARD = new Map([
  ['version', 1],
  ['n', 1],
  ['fn', 1],
  ['tel', 5],
  ['x-ablabel', 5],
]);
const CONTENT_LINE = /^(?:([A-Za-z0-9-]+)\.)?([A-Za-z0-9-]+)[;:]/;
const ENCODINGS = new Set(['quoted-printable', 'base64', 'b', '8bit', '7bit']);
const MOBILE = /\b(cell|mobile|iphone|whatsapp)\b/i;

/**
 * Every contact in a `.vcf` text (vCard 2.1, 3.0 or 4.0), in order, as far as `budget` goes; [] when
 * there is none or the text is not a vCard. The files of one message share one budget, so together
 * they cost what one file at the caps costs. Linear in the text, whatever its length.
 */
export function parseVCards(text: string, budget = new CardFilesBudget()): ContactDraft[] {
  try {
    return splitCards(String(text), budget).flatMap((card) => {
      const draft = cardDraft(card.lines);
      return draft ? [draft] : [];
    });
  } catch {
    return [];
  }
}

/** The lines of one BEGIN:VCARD block that make its draft, within KEPT_PER_CARD. */
class CardLines {
  readonly lines: string[] = [];
  private readonly kept = new Map<string, number>();
  private readonly phoneGroups = new Set<string>();

  /**
   * Keeps the line if the card still wants one of its kind; true when it was kept. A line cut before its
   * colon (its parameters passed LINE_CAP) has no value to read.
   */
  keep(line: string): boolean {
    const match = CONTENT_LINE.exec(line);
    const name = match?.[2]?.toLowerCase() ?? '';
    const kept = this.kept.get(name) ?? 0;
    if (kept >= (KEPT_PER_CARD.get(name) ?? 0) || headEnd(line) <= 0) return false;
    const group = match?.[1]?.toLowerCase();
    if (name === 'x-ablabel' && (group === undefined || !this.phoneGroups.has(group))) return false;
    if (name === 'tel' && group !== undefined) this.phoneGroups.add(group);
    this.kept.set(name, kept + 1);
    this.lines.push(line);
    return true;
  }
}

/**
 * The cards of the text, each with the lines that make its draft, until the budget's cards, lines or
 * properties are spent; a card cut short by the next BEGIN, the end of the text or the budget still counts.
 */
function splitCards(text: string, budget: CardFilesBudget): CardLines[] {
  const cards: CardLines[] = [];
  let card: CardLines | undefined;
  eachLogicalLine(text, budget, (line) => {
    if (isLine(line, 'BEGIN:VCARD')) {
      if (budget.cards === 0 || budget.properties === 0) return false;
      budget.cards -= 1;
      cards.push((card = new CardLines()));
    } else if (isLine(line, 'END:VCARD')) card = undefined;
    else if (card?.keep(line)) budget.properties -= 1;
    return budget.properties > 0;
  });
  return cards;
}

function isLine(line: string, expected: string): boolean {
  return line.length === expected.length && line.toUpperCase() === expected;
}

function cardDraft(lines: string[]): ContactDraft | undefined {
  // ical.js picks its vCard 4.0 rules only when VERSION comes first, which not every exporter does.
  const ordered = [...lines.filter((line) => /^VERSION:/i.test(line)), ...lines.filter((line) => !/^VERSION:/i.test(line))];
  let card: InstanceType<typeof ICAL.Component>;
  try {
    card = new ICAL.Component(ICAL.parse(['BEGIN:VCARD', ...ordered.map(fromVCard21), 'END:VCARD'].join('\r\n')));
  } catch {
    return undefined;
  }
  const draft = withoutEmpty({ ...cardName(card), phone: cardPhone(card) });
  return draft.firstName || draft.lastName || draft.phone ? draft : undefined;
}

/**
 * Rewrites a vCard 2.1 line into one ical.js reads: bare parameters (`TEL;CELL;PREF`) get their
 * `TYPE=`/`ENCODING=` names, and quoted-printable values are decoded in their CHARSET.
 */
function fromVCard21(line: string): string {
  const colon = headEnd(line);
  if (colon < 0) return line;
  const [name = '', ...params] = line.slice(0, colon).split(';');
  const value = line.slice(colon + 1);
  if (params.every((param) => param.includes('=')) && !isQuotedPrintable(line)) return line;
  const named = params
    .filter((param) => param !== '')
    .map((param) => (param.includes('=') ? param : `${ENCODINGS.has(param.toLowerCase()) ? 'ENCODING' : 'TYPE'}=${param}`));
  if (!isQuotedPrintable(line)) return `${[name, ...named].join(';')}:${value}`;
  const charset = named.find((param) => /^CHARSET=/i.test(param))?.slice('CHARSET='.length);
  const kept = named.filter((param) => !/^(CHARSET|ENCODING)=/i.test(param));
  return `${[name, ...kept].join(';')}:${decodeQuotedPrintable(value, charset)}`;
}

function decodeQuotedPrintable(value: string, charset = 'utf-8'): string {
  const decoder = textDecoder(charset);
  return value
    .replace(/(?:=[0-9A-Fa-f]{2})+/g, (run) => decoder.decode(Uint8Array.from(run.slice(1).split('='), (hex) => parseInt(hex, 16))))
    .replace(/\r\n|\r|\n/g, '\\n');
}

function textDecoder(charset: string): TextDecoder {
  try {
    return new TextDecoder(charset.replace(/^"|"$/g, ''));
  } catch {
    return new TextDecoder('utf-8');
  }
}

function cardName(card: InstanceType<typeof ICAL.Component>): DraftName {
  const n = card.getFirstProperty('n')?.getFirstValue();
  const [family, given, additional, prefix] = (Array.isArray(n) ? n : [n]).map(joinValues);
  const firstName = cleanPart([given, additional].filter(Boolean).join(' '));
  const lastName = cleanPart(family);
  if (firstName || lastName) return { salutation: salutationOf(prefix), firstName, lastName };
  const fn = card.getFirstProperty('fn')?.getFirstValue();
  return typeof fn === 'string' ? splitName(fn) : {};
}

/** A name part that ical.js split on commas (`John,Paul` given names) is one part again. */
function joinValues(value: unknown): string {
  if (Array.isArray(value)) return value.map(joinValues).join(' ');
  return typeof value === 'string' ? value : '';
}

/** The mobile number if the card has one, else the preferred one, else the first. */
function cardPhone(card: InstanceType<typeof ICAL.Component>): string | undefined {
  const labels = new Map(
    card
      .getAllProperties('x-ablabel')
      .filter((label) => label.getParameter('group') !== undefined)
      .map((label) => [label.getParameter('group'), String(label.getFirstValue())]),
  );
  const phones = card
    .getAllProperties('tel')
    .map((tel, index) => ({ tel, index, text: phoneText(tel.getFirstValue()) }))
    .filter((phone) => phone.text !== undefined)
    .map((phone) => ({ ...phone, rank: phoneRank(phone.tel, labels.get(phone.tel.getParameter('group'))) }));
  phones.sort((a, b) => a.rank - b.rank || a.index - b.index);
  return phones[0]?.text;
}

function phoneRank(tel: Property, label: string | undefined): number {
  const types = [tel.getParameter('type')].flat().join(',');
  const mobile = MOBILE.test(types) || MOBILE.test(label ?? '');
  const preferred = /\bpref\b/i.test(types) || tel.getParameter('pref') !== undefined;
  return (mobile ? 0 : 2) + (preferred ? 0 : 1);
}

/** The number as written; a `tel:` URI becomes `+1-555-555-5555 ext. 5555`. */
function phoneText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const uri = /^tel:(.*)$/i.exec(value.trim());
  if (!uri) return cleanPart(value);
  const [number = '', ...params] = (uri[1] ?? '').split(';');
  const extension = params.find((param) => /^ext=/i.test(param))?.slice('ext='.length);
  const written = safeDecodeUri(number);
  return cleanPart(extension ? `${written} ext. ${safeDecodeUri(extension)}` : written);
}

function safeDecodeUri(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
