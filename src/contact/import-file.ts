import type { ContactInput } from './validate.js';

export const IMPORT_ROW_LIMIT = 5_000;
export const IMPORT_FILE_LIMIT = 2 * 1024 * 1024;

export interface ImportRow {
  line: number;
  input: ContactInput;
  problem?: string;
}

export type ImportFile = { ok: true; rows: ImportRow[]; ignored: string[] } | { ok: false; reason: string };
export declare function readCsv(bytes: Uint8Array): Promise<ImportFile>;
export declare function vCardRows(drafts: import('./contact.js').ContactDraft[]): ImportRow[];
