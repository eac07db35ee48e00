import { withinCaps } from './caps.js';
import type { ContactDraft } from './contact.js';
import { nameOf, readName, type DraftName } from './name.js';
import { MIN_PHONE_DIGITS, phoneRuns, type PhoneRun } from './phone-run.js';

/** A draft read from typed text, with the parts it could not place. */
export interface TextDraft extends ContactDraft {
  /**
   * Text that is neither name nor number, as written: an extension without digits or with letters
   * (`ext abc`, `x12ab`) or a second number. The CLI refuses it; a prefilled form leaves it out.
   */
  unplaced?: string[];
}

/**
 * Splits free text such as `Dr. Priya Natarajan +91 99887 76655` into the parts of a contact:
 * the number with the most digits is the phone, the rest is the name. Text past the caps of
 * caps.ts is not read.
 */
export function parseContactText(input: string): TextDraft {
  const text = withinCaps(input);
  const runs = phoneRuns(text);
  const phone = runs.reduce<PhoneRun | undefined>((best, run) => (!best || run.digits > best.digits ? run : best), undefined);
  const unplaced = runs.flatMap((run) =>
    run === phone
      ? run.stray
        ? [run.stray]
        : []
      : run.digits >= MIN_PHONE_DIGITS
        ? [{ start: run.start, end: Math.max(run.end, run.stray?.end ?? 0) }]
        : [],
  );
  const taken = [...(phone ? [phone] : []), ...unplaced].sort((a, b) => a.start - b.start);
  return {
    ...readName(without(text, taken)),
    ...(phone ? { phone: text.slice(phone.start, phone.end) } : {}),
    ...(unplaced.length > 0 ? { unplaced: unplaced.map((part) => text.slice(part.start, part.end)) } : {}),
  };
}

/** The name parts of a whole name such as a vCard's FN or a `Name:` value; a number in it is left out. */
export function splitName(full: string): DraftName {
  return nameOf(parseContactText(full));
}

/** The text with the parts (in order, not overlapping) replaced by a space each. */
function without(text: string, parts: { start: number; end: number }[]): string {
  let rest = '';
  let from = 0;
  for (const part of parts) {
    rest += `${text.slice(from, part.start)} `;
    from = part.end;
  }
  return rest + text.slice(from);
}
