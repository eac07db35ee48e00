import { CardFilesBudget, TextBudget } from './caps.js';
import type { ContactDraft } from './contact.js';
import { plainLines, vCardText, withoutVCards } from './message-text.js';
import { cleanPart, nameOf, salutationOf, trimEdges, withoutEmpty, type DraftName } from './name.js';
import { countDigits, MIN_PHONE_DIGITS } from './phone-run.js';
import { parseContactText, splitName } from './text.js';
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

/**
 * The contacts a shared message describes, in the order it gives them. The message's texts share
 * the caps of caps.ts (blocks and fields first, as the reader sees them, then the text, which for
 * most messages repeats them); its vCard files, then the vCards pasted in its texts, share one
 * CardFilesBudget (their size is capped where they are downloaded).
 */
export function parseCard(card: MessageCard): { drafts: ContactDraft[] } {
  try {
    const budget = new TextBudget();
    const sources = [...(card.blockTexts ?? []), ...(card.fields ?? []).map((field) => `${field.title}:\n${field.value}`)].map((source) =>
      budget.take(source),
    );
    const text = budget.take(card.text ?? '');
    const files = new CardFilesBudget();
    const attached = (card.vcards ?? []).flatMap((vcard) => parseVCards(vcard, files));
    const pasted = [text, ...sources].flatMap((source) => parseVCards(vCardText(source), files));
    const fromBlocks = readTextCards(sources);
    const drafts = [...attached, ...pasted, ...(fromBlocks.length > 0 ? fromBlocks : readTextCards([text]))];
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
  // Other languages' words for a mobile, as phones export them: French, Spanish, Portuguese, German.
  mobile: ['mobile', 'mob', 'm', 'cell', 'cell phone', 'mobile phone', 'portable', 'móvil', 'movil', 'celular', 'handy', 'mobil'],
  whatsapp: ['whatsapp'],
  phone: ['phone', 'ph', 't', 'tel', 'telephone', 'number', 'contact number', 'office', 'work', 'home', 'landline'],
  other: ['email', 'e-mail', 'fax', 'address', 'company', 'organisation', 'organization', 'website', 'birthday', 'notes'],
};
const LABELS = new Map(Object.entries(LABEL_WORDS).flatMap(([kind, words]) => words.map((word) => [word, kind as Kind] as const)));
// Longest first, so `Contact number` is not read as `Contact` followed by a value.
const LABEL = [...LABELS.keys()]
  .sort((a, b) => b.length - a.length)
  .map((label) => label.replace(' ', String.raw`\s+`))
  .join('|');
const SUFFIX = String.raw`(?:\s*(?:no\.?|number|#))?`;
const COLON = String.raw`\s*[:=\uFF1A]\s*`;
// A bare dash separates only when spaced or before a number, so `Tel-Aviv` and `T-Mobile` stay words.
const SEPARATOR = String.raw`${COLON}|\s+[-\u2013\u2014]+\s+|\s*[-\u2013\u2014]+\s*(?=[+(\p{Nd}])|\s*$`;
// One word may come first (`New contact:`, `Customer name:`), then only with a colon, and not before
// a one-letter label, so a name with an initial (`Priya M`) stays a name.
const LEADING_LABEL = new RegExp(
  String.raw`^(?:(${LABEL})${SUFFIX}(?:${SEPARATOR})|\p{L}+\s+(${LABEL})(?<=\p{L}{2})${SUFFIX}${COLON})`,
  'iu',
);
// The label must follow a space or comma; looking back one character keeps a run of them from being
// tried again at every position.
const INNER_LABEL = new RegExp(String.raw`(?<=[\s,])(${LABEL})${SUFFIX}${COLON}`, 'giu');
const SEGMENT_BREAK = /[|•·;\t]/u;
const VALUE_EDGE = /^[\s,\-\u2013\u2014]$/u;
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
      } else if (countDigits(line) >= MIN_PHONE_DIGITS) {
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
  const segments = line.split(SEGMENT_BREAK).map((segment) => segment.trim());
  if (!LEADING_LABEL.test(segments[0] ?? '')) return undefined;
  return segments.flatMap((segment): Pair[] => {
    const match = LEADING_LABEL.exec(segment);
    if (!match) return countDigits(segment) >= MIN_PHONE_DIGITS ? [{ kind: 'phone', value: segment }] : [];
    const pairs: Pair[] = [];
    let kind = kindOf(match[1] ?? match[2]);
    const valueStart = match[0].length;
    let from = valueStart;
    for (const inner of segment.slice(valueStart).matchAll(INNER_LABEL)) {
      pairs.push({ kind, value: trimEdges(segment.slice(from, valueStart + inner.index), VALUE_EDGE) });
      kind = kindOf(inner[1]);
      from = valueStart + inner.index + inner[0].length;
    }
    return [...pairs, { kind, value: segment.slice(from).trim() }];
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
    if (kind === 'name' && parsed.phone && countDigits(parsed.phone) >= MIN_PHONE_DIGITS) {
      this.take(kind, nameOf(parsed));
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
      this.drafts.push({ ...nameOf(draft), phone: draft.phone });
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

/**
 * A short line of capitalised words (`Dr. Priya Natarajan`), not a sentence (`please call him`); an
 * email address beside the name (`Priya Natarajan <priya@…>`) is not one of its words.
 */
function looksLikeName(line: string): boolean {
  const words = line.split(' ').filter((word) => !word.includes('@'));
  const initial = /^\p{Ll}/u;
  const name = words.join(' ');
  return (
    words.length > 0 &&
    words.length <= 5 &&
    countDigits(line) === 0 &&
    !/[:?!]|[.,]$/u.test(name) &&
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
