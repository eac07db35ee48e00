import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { CsvError, parse, type Info } from 'csv-parse';
import { textEncodingOf, withoutControls } from './text-encoding.js';

/** Bytes decoded and parsed in one turn of the event loop: about a millisecond of csv-parse. */
const CHUNK_BYTES = 16 * 1024;
/** The longest record read (in UTF-8 bytes): a contact's row is far shorter, and a quote left open stops here. */
export const RECORD_SIZE_LIMIT = 64 * 1024;
/**
 * Cells read apart in one record; the rest of the line stays in the last one, where it counts towards
 * RECORD_SIZE_LIMIT. csv-parse counts only the text of the cells, so a line of nothing but delimiters would
 * otherwise become an array of millions of empty cells.
 */
export const COLUMN_LIMIT = 1_000;
/** The delimiters a header line is looked at for, the first winning a tie. */
const DELIMITERS = [',', ';', '\t'];
/** Excel's first line naming the delimiter, such as `sep=;`. */
const SEP_LINE = /^sep=([,;\t|])(?:\n|$)/i;

/** One record of a CSV file: its cells as written, and the line of the file it starts on (1-based). */
export interface CsvRecord {
  cells: string[];
  line: number;
}

/** A CSV file that cannot be read, with a reason a user can act on. */
export class UnreadableCsv extends Error {}

/**
 * The records of a CSV file, in order, leaving out blank lines and records whose cells are all blank. The bytes are
 * decoded (see textEncodingOf) and parsed a chunk at a time, with a turn of the event loop between chunks, so a large
 * or hostile file never holds the loop for long. The delimiter is the one an Excel `sep=` first line names (that line
 * is not a record), else the one of comma, semicolon or tab that the header line holds most of outside quotes.
 * Throws UnreadableCsv when a quote is never closed or a record passes RECORD_SIZE_LIMIT.
 */
export async function* csvRecords(bytes: Uint8Array): AsyncGenerator<CsvRecord> {
  const pieces = textPieces(bytes);
  const first = await pieces.next();
  const head = first.done ? '' : first.value;
  const sep = SEP_LINE.exec(head);
  const linesBefore = sep ? 1 : 0;
  const source = Readable.from(continued(head.slice(sep?.[0].length ?? 0), pieces));
  const parser = source.pipe(
    parse({
      delimiter: sep?.[1] ?? headerDelimiter(head),
      record_delimiter: '\n',
      relax_column_count: true,
      // A quote inside a value written without quotes (`Priya "PJ" Natarajan`) is part of the value.
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      max_record_size: RECORD_SIZE_LIMIT,
      ignore_last_delimiters: COLUMN_LIMIT,
      info: true,
    }),
  );
  let lastLine = linesBefore;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      lastLine = info.lines + linesBefore;
      // `info.lines` is the line the record ends on; a quoted value's own line breaks come before it.
      yield { cells: record, line: lastLine - lineBreaksIn(record) };
    }
  } catch (error) {
    throw error instanceof CsvError ? new UnreadableCsv(reasonOf(error, linesBefore, lastLine)) : error;
  } finally {
    source.destroy();
    parser.destroy();
  }
}

/**
 * The file's text a chunk at a time, a turn of the event loop apart, with every line break as `\n`: the parser is
 * given one record delimiter, whatever mix of CRLF, LF and CR the file has, so its line count is the file's. Control
 * characters are dropped (see withoutControls).
 */
async function* textPieces(bytes: Uint8Array): AsyncGenerator<string> {
  const { encoding, bomLength } = textEncodingOf(bytes);
  const decoder = new TextDecoder(encoding, { ignoreBOM: true });
  let carried = '';
  for (let at = bomLength; at < bytes.length; at += CHUNK_BYTES) {
    const text = carried + decoder.decode(bytes.subarray(at, at + CHUNK_BYTES), { stream: true });
    // A CR at the end may be the first half of a CRLF split across chunks.
    carried = text.endsWith('\r') ? '\r' : '';
    const piece = plainText(text.slice(0, text.length - carried.length));
    if (piece) yield piece;
    await nextTurn();
  }
  const last = plainText(carried + decoder.decode());
  if (last) yield last;
}

function plainText(text: string): string {
  return withoutControls(text.replace(/\r\n?/g, '\n'));
}

async function* continued(head: string, rest: AsyncGenerator<string>): AsyncGenerator<string> {
  if (head) yield head;
  yield* rest;
}

/** The one of DELIMITERS that the first line with any text (the header) holds most of outside quotes. */
function headerDelimiter(text: string): string {
  const counts = new Map(DELIMITERS.map((delimiter) => [delimiter, 0]));
  let quoted = false;
  for (let at = text.lastIndexOf('\n', text.search(/\S/)) + 1; at < text.length; at += 1) {
    const char = text.charAt(at);
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === '\n') break;
    else if (!quoted && counts.has(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  return DELIMITERS.reduce((best, delimiter) => ((counts.get(delimiter) ?? 0) > (counts.get(best) ?? 0) ? delimiter : best));
}

function lineBreaksIn(cells: string[]): number {
  let breaks = 0;
  for (const cell of cells) {
    for (let at = cell.indexOf('\n'); at >= 0; at = cell.indexOf('\n', at + 1)) breaks += 1;
  }
  return breaks;
}

/** The reason for a parser's error; `lastLine` is the last line of the last record read. */
function reasonOf(error: CsvError, linesBefore: number, lastLine: number): string {
  const line = (typeof error.lines === 'number' ? error.lines : 0) + linesBefore;
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      // The parser knows only that the file ended inside quotes: the quote opened somewhere after the last record.
      return `A quote (") is never closed: check the quotes from line ${lastLine + 1} on, and export again.`;
    case 'CSV_MAX_RECORD_SIZE':
      return `Line ${line} is longer than a row of contacts can be (${RECORD_SIZE_LIMIT.toLocaleString('en')} characters): check that its quotes are closed.`;
    default:
      return `Line ${line} could not be read as CSV: export the sheet as CSV again.`;
  }
}
