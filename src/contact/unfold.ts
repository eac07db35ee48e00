import { LINE_CAP, type CardFilesBudget } from './caps.js';

/**
 * Hands each unfolded, trimmed, non-blank content line to `take` in order, until it answers false
 * or the budget's physical lines are spent.
 * Lines are unfolded the way each version folds them: a leading space or tab (2.1/3.0/4.0), and
 * vCard 2.1's quoted-printable soft break, a line ending in `=` that ical.js does not know.
 * Each character is looked at once, and no line is kept once handed on, so a file of many tiny
 * lines costs little more than reading it.
 */
export function eachLogicalLine(text: string, budget: Pick<CardFilesBudget, 'lines'>, take: (line: string) => boolean): void {
  const line = new ContentLine();
  // The next CR and the next LF are searched for again only once passed: one scan of the text.
  let cr = -1;
  let lf = -1;
  for (let at = text.charCodeAt(0) === 0xfeff ? 1 : 0; at <= text.length && budget.lines > 0; budget.lines -= 1) {
    if (cr < at) cr = indexOrEnd(text, '\r', at);
    if (lf < at) lf = indexOrEnd(text, '\n', at);
    const end = Math.min(cr, lf);
    const physical = text.slice(at, end);
    at = end + (cr === end && lf === end + 1 ? 2 : 1);
    if (line.softBreak() && !isEndOfCard(physical)) line.append(physical, true);
    else if (line.started && (physical[0] === ' ' || physical[0] === '\t')) line.append(physical.slice(1), false);
    else {
      if (line.started && !handOn(line.take(), take)) return;
      line.append(physical, false);
    }
  }
  if (line.started) handOn(line.take(), take);
}

/** False when the reader wants no more lines. */
function handOn(line: string, take: (line: string) => boolean): boolean {
  const trimmed = line.trim();
  return trimmed === '' || take(trimmed);
}

function indexOrEnd(text: string, character: string, from: number): number {
  const at = text.indexOf(character, from);
  return at < 0 ? text.length : at;
}

function isEndOfCard(physical: string): boolean {
  return physical.length >= 9 && physical.trim().toUpperCase() === 'END:VCARD';
}

/**
 * The content line being unfolded, kept to LINE_CAP characters (caps.ts): the rest of a longer line
 * is dropped and the card is read from what fits. Physical lines are kept as pieces, joined once, and
 * whether the line is quoted-printable is decided once, when its parameters have all arrived: no
 * continuation makes the line be read again.
 */
class ContentLine {
  started = false;
  private pieces: string[] = [];
  private length = 0;
  /** Whether the line so far, kept or not, ends in `=`. */
  private endsWithEquals = false;
  private dropped = false;
  private quotedPrintable: boolean | undefined;
  /** Whether the search for the colon that ends the parameters is inside double quotes. */
  private quoted = false;

  /** Adds the next physical line; a soft break's `=` is taken off the end first. */
  append(more: string, softBreak: boolean): void {
    this.started = true;
    if (softBreak && !this.dropped) this.dropLastCharacter();
    const kept = more.length > LINE_CAP - this.length ? more.slice(0, LINE_CAP - this.length) : more;
    if (kept.length < more.length) this.dropped = true;
    if (kept !== '') this.pieces.push(kept);
    this.length += kept.length;
    if (more !== '') this.endsWithEquals = more.endsWith('=');
    else if (softBreak) this.endsWithEquals = !this.dropped && (this.pieces[this.pieces.length - 1] ?? '').endsWith('=');
    if (this.quotedPrintable === undefined) this.readHead(kept);
  }

  /** A quoted-printable line ending in `=` goes on in the next physical line. */
  softBreak(): boolean {
    return this.endsWithEquals && this.quotedPrintable === true;
  }

  /** The line as kept; the next append starts a new one. */
  take(): string {
    const text = this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join('');
    this.started = this.endsWithEquals = this.dropped = this.quoted = false;
    this.pieces = [];
    this.length = 0;
    this.quotedPrintable = undefined;
    return text;
  }

  private dropLastCharacter(): void {
    const last = this.pieces.pop() ?? '';
    if (last.length > 1) this.pieces.push(last.slice(0, -1));
    this.length -= Math.min(1, last.length);
  }

  /** Looks for the end of the parameters in the piece just kept; no character is looked at more than twice. */
  private readHead(piece: string): void {
    // Most lines quote nothing: their colon is found natively.
    if (!this.quoted && !piece.includes('"')) {
      const colon = piece.indexOf(':');
      if (colon >= 0) this.quotedPrintable = isQuotedPrintableHead(this.pieces.join('').slice(0, this.length - piece.length + colon));
      else if (this.dropped) this.quotedPrintable = false;
      return;
    }
    for (let at = 0; at < piece.length; at += 1) {
      const character = piece[at];
      if (character === '"') this.quoted = !this.quoted;
      else if (character === ':' && !this.quoted) return void (this.quotedPrintable = isQuotedPrintable(this.pieces.join('')));
    }
    if (this.dropped) this.quotedPrintable = false;
  }
}

/** Where the parameters end: the first colon outside double quotes. */
export function headEnd(line: string): number {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ':' && !quoted) return i;
  }
  return -1;
}

export function isQuotedPrintable(line: string): boolean {
  const colon = headEnd(line);
  return colon > 0 && isQuotedPrintableHead(line.slice(0, colon));
}

/** Whether a line's name and parameters (what comes before its colon) say its value is quoted-printable. */
function isQuotedPrintableHead(head: string): boolean {
  return head !== '' && /;(ENCODING=)?QUOTED-PRINTABLE\b/i.test(head);
}
