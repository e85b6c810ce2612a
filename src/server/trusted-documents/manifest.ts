import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, OperationTypeNode, parse } from 'graphql';
import { ConfigError } from '../../config/config-error';

/** One operation of the manifest, by the hex sha256 of its exact text. */
export interface TrustedDocument {
  readonly text: string;
  /** True when every operation is a query: only those may come by GET without a CSRF preflight header. */
  readonly readOnly: boolean;
}

export type TrustedDocuments = ReadonlyMap<string, TrustedDocument>;

const KEY = /^sha256:([0-9a-f]{64})$/;

/**
 * The manifest the package ships (package.json `files`), found from this file rather than from the
 * working directory, so `node /app/dist/main.js` started from anywhere finds it. The path is the same
 * from src/ and from dist/.
 */
export const BUNDLED_MANIFEST = join(__dirname, '../../../client/generated/persisted-documents.json');

/**
 * Reads the persisted documents manifest codegen writes (`{ "sha256:<hex>": "<text>" }`). Every entry is
 * checked at start-up, its hash against its text and its text by the parser, so a stale or edited file
 * stops the gateway instead of serving a document nobody reviewed under a trusted id.
 */
export function loadTrustedDocuments(path: string = BUNDLED_MANIFEST): TrustedDocuments {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new ConfigError([`TRUSTED_DOCUMENTS_MANIFEST: ${path} cannot be read as JSON`]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError([`TRUSTED_DOCUMENTS_MANIFEST: ${path} is not an object of "sha256:<hex>": text`]);
  }
  const documents = new Map<string, TrustedDocument>();
  const problems: string[] = [];
  for (const [key, text] of Object.entries(raw)) {
    const hex = KEY.exec(key)?.[1];
    if (hex === undefined || typeof text !== 'string') {
      problems.push(
        `TRUSTED_DOCUMENTS_MANIFEST: entry ${JSON.stringify(key.slice(0, 80))} is not "sha256:<hex>": text`,
      );
      continue;
    }
    if (createHash('sha256').update(text).digest('hex') !== hex) {
      problems.push(`TRUSTED_DOCUMENTS_MANIFEST: the text of ${key} does not hash to its id`);
      continue;
    }
    try {
      const readOnly = parse(text).definitions.every(
        (definition) =>
          definition.kind !== Kind.OPERATION_DEFINITION || definition.operation === OperationTypeNode.QUERY,
      );
      documents.set(hex, { text, readOnly });
    } catch {
      problems.push(`TRUSTED_DOCUMENTS_MANIFEST: the text of ${key} is not a GraphQL document`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return documents;
}
