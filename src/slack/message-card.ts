import type { MessageCard } from '../contact/card.js';

/** The parts of a Slack message the shortcut reads. */
export interface SlackMessage {
  text?: string;
  blocks?: unknown[];
  attachments?: { text?: string; pretext?: string; fields?: { title?: string; value?: string }[] }[];
  files?: SlackFile[];
}

export interface SlackFile {
  name?: string;
  mimetype?: string;
  filetype?: string;
  size?: number;
  url_private_download?: string;
  url_private?: string;
}

const VCARD_TYPES = new Set(['text/vcard', 'text/x-vcard', 'text/directory']);

/** True for a file that is a vCard by type or name. */
function isVCardFile(file: SlackFile): boolean {
  return VCARD_TYPES.has(String(file.mimetype)) || file.filetype === 'vcard' || /\.(vcf|vcard)$/i.test(String(file.name));
}

/**
 * How deep into a message's blocks and rich text the shortcut looks. Slack's own nest a few levels (a section's
 * fields' text, a list in a rich_text block); a forged payload can nest thousands, which would overflow the stack.
 */
const MAX_DEPTH = 20;

/** Every plain string in a message's blocks, one per section text, field, rich text or context element. */
export function blockTexts(blocks: unknown[]): string[] {
  const texts: string[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child, depth + 1);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const b = node as Record<string, unknown>;
    if (b.type === 'rich_text') return void texts.push(richText(b.elements, depth + 1));
    if (typeof b.text === 'string') texts.push(b.text);
    else if (typeof b.text === 'object') visit(b.text, depth + 1);
    for (const key of ['fields', 'elements'] as const) if (Array.isArray(b[key])) visit(b[key], depth + 1);
  };
  visit(blocks, 0);
  return texts.filter((t) => t.trim() !== '');
}

/** A rich_text block flattened as the reader sees it: sections and lists become lines. */
function richText(elements: unknown, depth: number): string {
  if (!Array.isArray(elements) || depth > MAX_DEPTH) return '';
  return elements
    .map((el) => {
      if (typeof el !== 'object' || el === null) return '';
      const e = el as Record<string, unknown>;
      if (
        Array.isArray(e.elements) &&
        e.type !== 'rich_text_section' &&
        e.type !== 'rich_text_preformatted' &&
        e.type !== 'rich_text_quote'
      ) {
        return richText(e.elements, depth + 1);
      }
      if (Array.isArray(e.elements)) return (e.elements as unknown[]).map(inline).join('');
      return inline(el);
    })
    .join('\n');
}

function inline(element: unknown): string {
  if (typeof element !== 'object' || element === null) return '';
  const e = element as Record<string, unknown>;
  if (typeof e.text === 'string') return e.text;
  if (e.type === 'link' && typeof e.url === 'string') return e.url.replace(/^tel:/, '');
  return '';
}

/** A message as the domain's card parser reads it, with the text of vCards already downloaded. */
export function messageCard(message: SlackMessage, vcards: string[]): MessageCard {
  const attachments = records(message.attachments);
  return {
    text: text(message.text) ?? '',
    blockTexts: [
      ...blockTexts(records(message.blocks)),
      ...attachments.flatMap((a) => [text(a.pretext), text(a.text)]).filter((t): t is string => t !== undefined && t.trim() !== ''),
    ],
    fields: attachments.flatMap((a) => records(a.fields)).map((f) => ({ title: text(f.title) ?? '', value: text(f.value) ?? '' })),
    vcards,
  };
}

/** The files of a message that are vCards. */
export function vCardFiles(message: SlackMessage): SlackFile[] {
  return records(message.files).filter(isVCardFile);
}

const CSV_TYPES = new Set(['text/csv', 'application/csv', 'text/tab-separated-values']);

/** The files of a message that are spreadsheets exported as CSV (or tab-separated), by type or name. */
export function csvFiles(message: SlackMessage): SlackFile[] {
  return records(message.files).filter(
    (file) =>
      CSV_TYPES.has(String(file.mimetype)) || file.filetype === 'csv' || file.filetype === 'tsv' || /\.(csv|tsv)$/i.test(String(file.name)),
  );
}

/** A shared file's name as the app shows it: the name Slack gave, up to FILE_NAME_SHOWN characters, or `fallback`. */
export function fileName(file: SlackFile, fallback: string): string {
  const name = text(file.name)?.trim();
  if (!name) return fallback;
  return name.length > FILE_NAME_SHOWN ? `${name.slice(0, FILE_NAME_SHOWN - 1)}…` : name;
}

/** Longer than any name a person gives a file, short enough for every message and view that names it. */
const FILE_NAME_SHOWN = 120;

/** Slack's types describe what Slack sends; a forged payload may send anything, so lists are checked. */
function records<T>(value: T[] | undefined): T[] {
  return Array.isArray(value) ? value.filter((v) => typeof v === 'object' && v !== null) : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
