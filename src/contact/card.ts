import type { ContactDraft } from './contact.js';
import { cleanPart, salutationOf, splitName, withoutEmpty, type DraftName } from './name.js';
import { parseContactText } from './text.js';
import { parseVCards } from './vcard.js';

/** What a shared message holds, as plain strings: no chat-platform types reach the domain. */
export interface MessageCard {
  /** The message text, which for bot messages is only the notification fallback of its blocks. */
  text?: string;
  /** Plain strings from the blocks: section text, section fields, rich text. */
  blockTexts?: string[];
  /** Legacy attachment fields. */
  fields?: { title: string; value: string }[];
  /** Text of the `.vcf` files attached to the message. */
  vcards?: string[];
}

/** The contacts a shared message describes, in the order it gives them. */
export function parseCard(card: MessageCard): { drafts: ContactDraft[] } {
  try {
    const sources = [...(card.blockTexts ?? []), ...(card.fields ?? []).map((field) => `${field.title}:\n${field.value}`)];
    const pasted = [card.text ?? '', ...sources].flatMap((source) => parseVCards(vCardText(source)));
    const fromBlocks = readTextCards(sources);
    const drafts = [
      ...(card.vcards ?? []).flatMap(parseVCards),
      ...pasted,
      ...(fromBlocks.length > 0 ? fromBlocks : readTextCards([card.text ?? ''])),
    ];
    return { drafts: withoutRepeats(drafts) };
  } catch {
    return { drafts: [] };
  }
}

/** `other` marks labels known not to hold a name or a number, so their values are not read as one. */
type Kind = 'name' | 'first' | 'last' | 'salutation' | 'mobile' | 'whatsapp' | 'phone' | 'other';

const LABEL_WORDS: Record<Kind, string[]> = {
  name: ['name', 'full name', 'contact', 'contact name'],
  first: ['first name', 'given name'],
  last: ['last name', 'surname', 'family name'],
  salutation: ['salutation', 'title'],
  mobile: ['mobile', 'mob', 'm', 'cell'],
  whatsapp: ['whatsapp'],
  phone: ['phone', 'ph', 't', 'tel', 'telephone', 'number', 'contact number', 'office', 'work', 'home', 'landline'],
  other: ['email', 'e-mail', 'fax', 'address', 'company', 'organisation', 'organization', 'website', 'birthday', 'notes'],
};
const LABELS = new Map(
  Object.entries(LABEL_WORDS).flatMap(([kind, words]) => words.map((word) => [word, kind as Kind] as const)),
);
// Longest first, so `Contact number` is not read as `Contact` followed by a value.
const LABEL = [...LABELS.keys()]
  .sort((a, b) => b.length - a.length)
  .map((label) => label.replace(' ', String.raw`\s+`))
  .join('|');
const SUFFIX = String.raw`(?:\s*(?:no\.?|number|#))?`;
// A bare dash separates only when spaced or before a number, so `Tel-Aviv` and `T-Mobile` stay words.
const SEPARATOR = String.raw`\s*[:=\uFF1A]\s*|\s+[-\u2013\u2014]+\s+|\s*[-\u2013\u2014]+\s*(?=[+(\p{Nd}])|\s*$`;
const LEADING_LABEL = new RegExp(String.raw`^(${LABEL})${SUFFIX}(?:${SEPARATOR})`, 'iu');
const INNER_LABEL = new RegExp(String.raw`[\s,]+(${LABEL})${SUFFIX}\s*[:=\uFF1A]\s*`, 'iu');
/** Fewer digits than a short local number is a room, a time or a date, not a phone. */
const MIN_PHONE_DIGITS = 7;
const SEGMENT_BREAK = /\s*[|•·;\t]\s*/u;
const NAME_KINDS: Kind[] = ['name', 'first', 'last'];
const CONFLICTS: Record<Kind, Kind[]> = {
  name: NAME_KINDS,
  first: ['name', 'first'],
  last: ['name', 'last'],
  salutation: ['salutation'],
  mobile: ['mobile'],
  whatsapp: ['whatsapp'],
  phone: ['phone'],
  other: [],
};

interface Pair {
  kind: Kind;
  value: string;
}

/** Reads labelled and unlabelled lines into drafts; one contact may run across several sources, as block fields do. */
function readTextCards(sources: string[]): ContactDraft[] {
  const cards = new CardBuilder();
  for (const source of sources) {
    let waiting: Kind | undefined;
    let nameLine: string | undefined;
    for (const line of plainLines(withoutVCards(source))) {
      const pairs = labelledPairs(line);
      const lineAbove = nameLine;
      nameLine = undefined;
      if (pairs) {
        for (const pair of pairs) if (pair.value !== '') cards.add(pair, lineAbove);
        const last = pairs[pairs.length - 1];
        waiting = last?.value === '' ? last.kind : undefined;
      } else if (waiting) {
        cards.add({ kind: waiting, value: line }, lineAbove);
        waiting = undefined;
      } else if (digitCount(line) >= MIN_PHONE_DIGITS) {
        cards.addLine(line, lineAbove);
      } else if (looksLikeName(line)) {
        nameLine = line;
      }
    }
  }
  return cards.finish();
}

/** The label/value pairs of a line that starts with a label; undefined for any other line. */
function labelledPairs(line: string): Pair[] | undefined {
  const [first = '', ...rest] = line.split(SEGMENT_BREAK);
  if (!LEADING_LABEL.test(first)) return undefined;
  return [first, ...rest].flatMap((segment): Pair[] => {
    const match = LEADING_LABEL.exec(segment);
    if (!match) return digitCount(segment) >= MIN_PHONE_DIGITS ? [{ kind: 'phone', value: segment }] : [];
    const kind = kindOf(match[1]);
    const value = segment.slice(match[0].length);
    const inner = INNER_LABEL.exec(value);
    if (!inner) return [{ kind, value: value.trim() }];
    const before = value.slice(0, inner.index).replace(/[\s,\-\u2013\u2014]+$/u, '');
    return [{ kind, value: before }, ...(labelledPairs(value.slice(inner.index).replace(/^[\s,]+/, '')) ?? [])];
  });
}

function kindOf(label: string | undefined): Kind {
  return LABELS.get((label ?? '').toLowerCase().replace(/\s+/g, ' ')) ?? 'name';
}

/** Gathers pairs into contacts, starting the next contact when a part it already has comes again. */
class CardBuilder {
  private readonly drafts: ContactDraft[] = [];
  private seen = new Set<Kind>();
  private name: DraftName = {};
  private phones: Partial<Record<Kind, string>> = {};

  /** `nameLine` is the line just before, a name on its own line above a number. */
  add({ kind, value }: Pair, nameLine: string | undefined): void {
    const parsed = parseContactText(value);
    if (kind === 'name' && parsed.phone && digitCount(parsed.phone) >= MIN_PHONE_DIGITS) {
      this.take(kind, withoutEmpty({ ...parsed, phone: undefined }));
      return this.add({ kind: 'phone', value: parsed.phone }, nameLine);
    }
    if (kind === 'name') return this.take(kind, splitName(value));
    if (kind === 'first') return this.take(kind, withoutEmpty({ firstName: cleanPart(value) }));
    if (kind === 'last') return this.take(kind, withoutEmpty({ lastName: cleanPart(value) }));
    if (kind === 'salutation') return this.take(kind, withoutEmpty({ salutation: salutationOf(value) }));
    if (kind === 'other' || !parsed.phone) return;
    this.take(kind, {}, parsed.phone);
    if (nameLine && !NAME_KINDS.some((part) => this.seen.has(part))) {
      this.take('name', splitName(nameLine));
    }
  }

  /** An unlabelled line holding a number, such as `Priya Natarajan – +91 99887 76655`. */
  addLine(line: string, nameLine: string | undefined): void {
    const draft = parseContactText(line);
    if (!draft.phone) return;
    if (draft.firstName || draft.lastName) {
      this.flush();
      this.drafts.push(withoutEmpty(draft));
    } else {
      this.add({ kind: 'phone', value: draft.phone }, nameLine);
    }
  }

  finish(): ContactDraft[] {
    this.flush();
    return this.drafts;
  }

  private take(kind: Kind, name: DraftName, phone?: string): void {
    if (Object.keys(name).length === 0 && phone === undefined) return;
    if (CONFLICTS[kind].some((other) => this.seen.has(other))) this.flush();
    this.name = { ...this.name, ...name };
    if (phone !== undefined) this.phones[kind] = phone;
    this.seen.add(kind);
  }

  private flush(): void {
    const { mobile, whatsapp, phone } = this.phones;
    const draft = withoutEmpty({ ...this.name, phone: mobile ?? whatsapp ?? phone });
    if (draft.firstName || draft.lastName || draft.phone) this.drafts.push(draft);
    this.seen = new Set();
    this.name = {};
    this.phones = {};
  }
}

const VCARD_BLOCK = /BEGIN:VCARD[\s\S]*?(?:END:VCARD|$)/gi;

/** A vCard pasted into a message arrives HTML-escaped, often in a code block. */
function vCardText(source: string): string {
  const text = decodeEntities(source).replace(/```/g, '\n');
  return /BEGIN:VCARD/i.test(text) ? text : '';
}

function withoutVCards(source: string): string {
  return source.replace(VCARD_BLOCK, '\n');
}

/** The lines of a message with Slack's markup taken off: links by their label, emphasis, emoji codes, bullets. */
function plainLines(source: string): string[] {
  const text = source
    .replace(/<([^<>|]*)\|([^<>]*)>/g, '$2')
    .replace(/<([^<>]*)>/g, (_, target: string) => (/^[@#!]/.test(target) ? ' ' : target.replace(/^(mailto|tel|sms):/i, '')))
    .replace(/:[a-z][a-z0-9_+-]*:/g, ' ')
    .replace(/[*~`]/g, '')
    .replace(/(^|[^\p{L}\p{N}])_+|_+(?=$|[^\p{L}\p{N}])/gmu, '$1');
  return decodeEntities(text)
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/^\s*(?:[•◦▪‣>-]|\d{1,2}[.)])\s+/u, '').replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '');
}

function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function digitCount(text: string): number {
  return text.match(/\p{Nd}/gu)?.length ?? 0;
}

/** A short line of capitalised words (`Dr. Priya Natarajan`), not a sentence (`please call him`). */
function looksLikeName(line: string): boolean {
  const words = line.split(' ');
  const initial = /^\p{Ll}/u;
  return (
    words.length <= 5 &&
    digitCount(line) === 0 &&
    !/[:?!@]|[.,]$/u.test(line) &&
    !initial.test(words[0] ?? '') &&
    !initial.test(words[words.length - 1] ?? '')
  );
}

/** The same contact given twice (a vCard and its text, say) counts once. */
function withoutRepeats(drafts: ContactDraft[]): ContactDraft[] {
  const seen = new Set<string>();
  return drafts.filter((draft) => {
    const key = [draft.salutation, draft.firstName, draft.lastName, draft.phone?.replace(/\D/g, '')]
      .map((part) => (part ?? '').toLowerCase())
      .join('|');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
