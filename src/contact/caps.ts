/** The most text one message or one typed line gives the parser; what lies beyond is not read. */
export const TEXT_CAP = 8_000;
/** The longest line read; the rest of a longer line is dropped and the card is read from what fits. */
export const LINE_CAP = 1_000;

/**
 * The most lines read from a message's card files, all files together. Exports fold lines at 75
 * characters, so a real file of the 256 KiB the download allows has a few thousand; only junk (a line
 * per character, a run of quoted-printable soft breaks) has more, and it is not worth reading.
 */
export const FILE_LINES_CAP = 20_000;
/** The most cards read from a message's card files together: an address book's worth. */
export const CARDS_CAP = 100;
/**
 * The most name and number lines handed to ical.js from a message's card files together, the part of
 * the parse that grows with them. A card keeps at most 13 (see vcard.ts) and a real one has a name and a
 * few numbers, so 100 real cards fit; before this count, 100 cards of 50 numbers each took ~60 ms.
 */
export const CARD_PROPERTIES_CAP = 1_000;

/**
 * What one message's card files may cost together, however many it has: each file is read with what
 * the files before it left, so ten files cost what one file at the caps costs.
 */
export class CardFilesBudget {
  cards = CARDS_CAP;
  lines = FILE_LINES_CAP;
  properties = CARD_PROPERTIES_CAP;
}

/**
 * The text as the parser may read it: lines cut to LINE_CAP characters, taken in order until
 * `budget` characters are taken. Looking for line ends is the only pass over what is dropped.
 */
export function withinCaps(text: string, budget = TEXT_CAP): string {
  let kept = '';
  let from = 0;
  while (from <= text.length && kept.length < budget) {
    const end = lineEnd(text, from);
    const line = text.slice(from, cutAt(text, Math.min(end, from + LINE_CAP)));
    kept += (from > 0 ? '\n' : '') + line;
    from = end + (text.startsWith('\r\n', end) ? 2 : 1);
  }
  return kept.slice(0, cutAt(kept, Math.min(budget, kept.length)));
}

/** Index of the first `\n` or `\r` at or after `from`, or the text's length; each character is looked at once. */
function lineEnd(text: string, from: number): number {
  let at = from;
  while (at < text.length && text[at] !== '\n' && text[at] !== '\r') at += 1;
  return at;
}

/** `end`, or one before it so a cut does not split a surrogate pair. */
function cutAt(text: string, end: number): number {
  const code = text.charCodeAt(end - 1);
  return end < text.length && code >= 0xd800 && code <= 0xdbff ? end - 1 : end;
}

/** Shares one TEXT_CAP among several texts, in the order they are taken. */
export class TextBudget {
  private left = TEXT_CAP;

  /** The text within the caps and what is left of the budget; '' once it is spent. */
  take(text: string): string {
    if (this.left <= 0) return '';
    const kept = withinCaps(text, this.left);
    this.left -= kept.length;
    return kept;
  }
}
