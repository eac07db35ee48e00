import type { Contact } from './contact.js';

export interface ImportPreview {
  ready: { line: number; contact: Contact }[];
  invalid: { line: number; reason: string }[];
  repeated: { line: number; firstLine: number }[];
}
export declare function previewImport(
  rows: import('./import-file.js').ImportRow[],
  defaultCountry: import('libphonenumber-js/max').CountryCode,
): Promise<ImportPreview>;
