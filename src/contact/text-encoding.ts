import { isUtf8 } from 'node:buffer';

/** The encodings a spreadsheet or an address book writes text files in. */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/**
 * How a file's bytes are written: a byte order mark says so (UTF-8, or the UTF-16 of Excel's "Unicode text");
 * otherwise UTF-8 when the bytes are valid UTF-8, and else the Windows Latin-1 of Excel's plain "CSV" on Windows and
 * of older phones. `bomLength` is the number of bytes the mark takes.
 */
export function textEncodingOf(bytes: Uint8Array): { encoding: TextEncoding; bomLength: number } {
  if (startsWith(bytes, [0xff, 0xfe])) return { encoding: 'utf-16le', bomLength: 2 };
  if (startsWith(bytes, [0xfe, 0xff])) return { encoding: 'utf-16be', bomLength: 2 };
  const bomLength = startsWith(bytes, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  return { encoding: isUtf8(bytes.subarray(bomLength)) ? 'utf-8' : 'windows-1252', bomLength };
}

function startsWith(bytes: Uint8Array, mark: number[]): boolean {
  return mark.every((byte, at) => bytes[at] === byte);
}

/** A text file's bytes as text, in the encoding `textEncodingOf` finds, without its byte order mark. */
export function decodeText(bytes: Uint8Array): string {
  const { encoding, bomLength } = textEncodingOf(bytes);
  return new TextDecoder(encoding).decode(bytes.subarray(bomLength));
}

/** A control character (Unicode `Cc`) other than a tab or a line break. */
const CONTROL = /[^\P{Cc}\t\n\r]/gu;

/**
 * The text without its control characters but tabs and line breaks: no name or number has one, and PostgreSQL refuses
 * a NUL in text, so a file with one could not even be kept as an import's draft.
 */
export function withoutControls(text: string): string {
  return text.replace(CONTROL, '');
}
