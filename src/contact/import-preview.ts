import type { Contact } from './contact.js';

export interface ImportPreview {
  ready: { line: number; contact: Contact }[];
  invalid: { line: number; reason: string }[];
  repeated: { line: number; firstLine: number }[];
}
