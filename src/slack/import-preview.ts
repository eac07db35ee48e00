import type { Logger, types } from '@slack/bolt';
import type { CountryCode } from 'libphonenumber-js/max';
import type { ImportRecord } from '../audit/import-drafts.js';
import { IMPORT_FILE_LIMIT, IMPORT_ROW_LIMIT, readCsv, vCardRows, type ImportFile } from '../contact/import-file.js';
import { previewImport } from '../contact/import-preview.js';
import { readImportCards } from '../contact/vcard-import.js';
import { countryByCode } from './countries.js';
import type { SlackDeps } from './deps.js';
import { downloadFile, type FileLimit } from './download.js';
import { fileName, type SlackFile } from './message-card.js';
import { importModal, importRefusedModal } from './views/import-modal.js';

const CSV_FILE: FileLimit = { bytes: IMPORT_FILE_LIMIT, tooLarge: `the file is larger than ${IMPORT_FILE_LIMIT / 1024 / 1024} MiB` };

/** Who shares the file, the token that may download it, and where what goes wrong is logged. */
export interface Importer {
  userId: string;
  teamId?: string;
  botToken: string;
  logger: Logger;
}

/** A shared CSV file as an import: the preview of a draft now kept in the database, or why it can't be imported. */
export async function csvImport(deps: SlackDeps, importer: Importer, file: SlackFile): Promise<types.ModalView> {
  const name = fileName(file, 'the file');
  let bytes: Uint8Array;
  try {
    bytes = await downloadFile(file, importer.botToken, deps.fileOrigins, CSV_FILE);
  } catch (error) {
    return importRefusedModal(name, error instanceof Error ? error.message : 'it could not be read');
  }
  return previewOf(deps, importer, name, await readCsv(bytes));
}

/**
 * The cards of a message's `.vcf` files (`texts`, downloaded) as an import when there is more than one between them;
 * undefined when there is one or none, for the single contact form.
 */
export async function cardsImport(
  deps: SlackDeps,
  importer: Importer,
  fileName: string,
  texts: readonly string[],
): Promise<types.ModalView | undefined> {
  const cards = await readImportCards(texts);
  if (cards.length <= 1) return undefined;
  if (cards.length > IMPORT_ROW_LIMIT) return importRefusedModal(fileName, tooMany());
  return previewOf(deps, importer, fileName, { ok: true, rows: vCardRows(cards), ignored: [] });
}

function tooMany(): string {
  return `it has more than ${IMPORT_ROW_LIMIT.toLocaleString('en-US')} contacts, the most one import takes. Split it and share each part.`;
}

async function previewOf(deps: SlackDeps, importer: Importer, fileName: string, file: ImportFile): Promise<types.ModalView> {
  if (!file.ok) return importRefusedModal(fileName, file.reason);
  if (file.rows.length === 0) return importRefusedModal(fileName, 'it has no contacts under its header row.');
  const country = deps.defaultCountry;
  let draftKey: string;
  try {
    draftKey = await deps.imports.saveDraft({
      userId: importer.userId,
      ...(importer.teamId ? { teamId: importer.teamId } : {}),
      fileName,
      rows: file.rows,
      ignoredColumns: file.ignored,
      country,
    });
  } catch (error) {
    importer.logger.error({ err: error, user: importer.userId }, "could not keep an import's draft");
    return importRefusedModal(fileName, 'the bot could not keep its preview just now. Nothing was created; please try again in a minute.');
  }
  return draftPreview({ id: draftKey, fileName, draft: file.rows, ignoredColumns: file.ignored }, country);
}

/** The preview of a draft with `country` assumed for numbers without `+`. */
export async function draftPreview(
  draft: Pick<ImportRecord, 'id' | 'fileName' | 'draft' | 'ignoredColumns'>,
  country: CountryCode,
): Promise<types.ModalView> {
  return importModal({
    draftKey: draft.id,
    fileName: draft.fileName,
    preview: await previewImport(draft.draft ?? [], country),
    country: countryByCode(country)!,
    ignoredColumns: draft.ignoredColumns,
  });
}
