import type { ContactInput } from './validate.js';

export const IMPORT_ROW_LIMIT = 5_000;
export const IMPORT_FILE_LIMIT = 2 * 1024 * 1024;

export interface ImportRow {
  line: number;
  input: ContactInput;
  problem?: string;
}
