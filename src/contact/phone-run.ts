/**
 * Finds numbers in free text in one pass, character by character: a regex over runs of `(`, `+`
 * or spaces tries again at every position of the run, which made a long run quadratic.
 */

/** A number as written: digits with up to three separators between them, and what follows it. */
export interface PhoneRun {
  /** Where the number starts and ends (code units), a well-formed extension included. */
  start: number;
  end: number;
  /** How many digits it has, extension included. */
  digits: number;
  /** An extension that is not one: `x12ab`, `ext abc`. */
  stray?: { start: number; end: number };
}

const DIGIT = /^\p{Nd}$/u;
const SEPARATOR = /^[\s\-\u2010-\u2015.()/]$/u;
const SPACE = /^\s$/u;
const LETTER = /^\p{L}$/u;
const LATIN = /^[A-Za-z]$/;
/** What a number typed with letters is made of: `1-800-FLOWERS`, `+1 800.FLOWERS`. */
const VANITY = /^[A-Za-z0-9.-]$/;
/** `+`, `＋` and `(` before the first digit belong to the number. */
const OPENING = new Set(['+', '\uFF0B', '(']);
/** Longest first, so `extension` is not read as `ext` followed by `ension`. */
const EXTENSION_WORDS = ['extension', 'extn', 'ext', 'x'];
const MAX_EXTENSION_DIGITS = 10;
const MAX_SEPARATORS = 3;
/** Fewer digits than a short local number is a room, a time or a date, not a phone. */
export const MIN_PHONE_DIGITS = 7;

/** Every number in the text, in order; linear in the text's length. */
export function phoneRuns(text: string): PhoneRun[] {
  const runs: PhoneRun[] = [];
  let floor = 0;
  let at = 0;
  while (at < text.length) {
    if (!is(DIGIT, text, at)) {
      at += width(text, at);
      continue;
    }
    let start = at;
    while (start > floor && OPENING.has(text[start - 1] ?? '')) start -= 1;
    const number = digitsFrom(text, at);
    const run = withExtension(text, withTouchingLetters(text, { start, end: number.end, digits: number.digits }));
    runs.push(run);
    floor = at = Math.max(run.end, run.stray?.end ?? 0);
  }
  return runs.map(withoutUnmatchedOpening(text));
}

/** Digits from `at`, each after at most three separators. */
function digitsFrom(text: string, at: number): { end: number; digits: number } {
  let end = at + width(text, at);
  let digits = 1;
  for (;;) {
    let next = end;
    while (next - end < MAX_SEPARATORS && is(SEPARATOR, text, next)) next += 1;
    if (!is(DIGIT, text, next)) return { end, digits };
    end = next + width(text, next);
    digits += 1;
  }
}

/**
 * The run with what follows its last digit: ` ext. 42`, `x12` or `#3` (at most ten digits) is part of
 * the number; an extension word without digits or with letters after them is the stray part, which
 * belongs to neither the number nor the name.
 */
function withExtension(text: string, run: PhoneRun): PhoneRun {
  let at = skipSpaces(text, run.end);
  if (text[at] === ',' || text[at] === ';') at = skipSpaces(text, at + 1);
  const word = extensionWordAt(text, at);
  if (word === undefined) return run;
  let digitsAt = skipSpaces(text, at + word);
  if (text[digitsAt] === ':' || text[digitsAt] === '=') digitsAt = skipSpaces(text, digitsAt + 1);
  let end = digitsAt;
  while (is(DIGIT, text, end)) end += width(text, end);
  const digits = countDigits(text.slice(digitsAt, end));
  if (digits >= 1 && digits <= MAX_EXTENSION_DIGITS && !is(LETTER, text, end)) return { ...run, end, digits: run.digits + digits };
  return { ...run, stray: { start: at, end: tokenEnd(text, digitsAt) } };
}

/** The length of an extension word (`ext.`, `x`, `#`) at `at`, when one is there on its own. */
function extensionWordAt(text: string, at: number): number | undefined {
  if (text[at] === '#') return 1;
  const lower = text.slice(at, at + 'extension'.length).toLowerCase();
  const word = EXTENSION_WORDS.find((candidate) => lower.startsWith(candidate));
  if (word === undefined) return undefined;
  const length = word.length + (text[at + word.length] === '.' ? 1 : 0);
  return is(LETTER, text, at + length) ? undefined : length;
}

/**
 * Latin letters touching the number, straight after it or after one `-` or `.` (`98765ABCDE`, `1-800-FLOWERS`),
 * were typed into it: they stay with the number, which then says letters are not digits, instead of a short
 * number and a name ending in `ABCDE`. Other scripts may touch a number as a name does (`13800138000王伟`).
 */
function withTouchingLetters(text: string, run: PhoneRun): PhoneRun {
  let at = run.end;
  if (text[at] === '-' || text[at] === '.') at += 1;
  if (!LATIN.test(text[at] ?? '') || extensionWordAt(text, at) !== undefined) return run;
  while (at < text.length && VANITY.test(text[at] ?? '')) at += 1;
  return { ...run, end: at };
}

/** `John (+91 98765 43210)` should give the number, not `(+91 98765 43210`. */
function withoutUnmatchedOpening(text: string): (run: PhoneRun) => PhoneRun {
  return (run) => {
    let open = 0;
    for (let at = run.start; at < run.end; at += 1) {
      if (text[at] === '(') open += 1;
      else if (text[at] === ')') open -= 1;
    }
    let start = run.start;
    while (open > 0 && text[start] === '(') {
      start += 1;
      open -= 1;
    }
    return { ...run, start };
  };
}

function skipSpaces(text: string, at: number): number {
  while (is(SPACE, text, at)) at += 1;
  return at;
}

/** Where the word at `at` ends: the next space or the end of the text. */
function tokenEnd(text: string, at: number): number {
  while (at < text.length && !is(SPACE, text, at)) at += width(text, at);
  return at;
}

/** How many digits the text has, in any script. */
export function countDigits(text: string): number {
  let digits = 0;
  for (const character of text) if (DIGIT.test(character)) digits += 1;
  return digits;
}

/** Whether the character (code point) at `at` is of the class. */
function is(pattern: RegExp, text: string, at: number): boolean {
  const code = text.codePointAt(at);
  return code !== undefined && pattern.test(String.fromCodePoint(code));
}

function width(text: string, at: number): number {
  return (text.codePointAt(at) ?? 0) > 0xffff ? 2 : 1;
}
