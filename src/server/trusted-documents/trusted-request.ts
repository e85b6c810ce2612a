import { ErrorCode } from '../../errors/error-code';
import type { TrustedDocuments } from './manifest';

/** `off`: today's behaviour. `allow`: known ids and full documents. `require`: known ids only. */
export type TrustedDocumentsMode = 'off' | 'allow' | 'require';

export interface GraphQLHttpInput {
  readonly method: string;
  /** The query string with its leading `?`, or empty. */
  readonly search: string;
  readonly body: unknown;
}

export type TrustedRequest =
  | {
      readonly kind: 'forward';
      readonly search: string;
      readonly body: unknown;
      /** A GET of a trusted query: exempt from the CSRF preflight-header check (see docs/trusted-documents.md). */
      readonly csrfExempt: boolean;
    }
  | { readonly kind: 'refuse'; readonly status: number; readonly code: ErrorCode };

export type Id =
  { readonly kind: 'none' } | { readonly kind: 'invalid' } | { readonly kind: 'id'; readonly hex: string };

const HEX = /^[0-9a-f]{64}$/;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// The two wire forms: GraphQL-over-HTTP's `documentId: "sha256:<hex>"` and Apollo's
// `extensions.persistedQuery: { version: 1, sha256Hash }` (what PersistedQueryLink sends).
export function idOf(documentId: unknown, extensions: unknown): Id {
  if (documentId !== undefined) {
    if (typeof documentId !== 'string' || !documentId.startsWith('sha256:')) return { kind: 'invalid' };
    const hex = documentId.slice('sha256:'.length);
    return HEX.test(hex) ? { kind: 'id', hex } : { kind: 'invalid' };
  }
  const persisted = isRecord(extensions) ? extensions['persistedQuery'] : undefined;
  if (persisted === undefined) return { kind: 'none' };
  if (!isRecord(persisted) || persisted['version'] !== 1) return { kind: 'invalid' };
  const hash = persisted['sha256Hash'];
  return typeof hash === 'string' && HEX.test(hash) ? { kind: 'id', hex: hash } : { kind: 'invalid' };
}

function withoutPersistedQuery(extensions: unknown): unknown {
  if (!isRecord(extensions) || !('persistedQuery' in extensions)) return extensions;
  const { persistedQuery: _dropped, ...rest } = extensions;
  return Object.keys(rest).length === 0 ? undefined : rest;
}

function parseJsonParam(value: string | null): unknown {
  if (value === null) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value; // Apollo answers the malformed parameter itself
  }
}

/**
 * Decides a `/graphql` request before anything parses its document: a known id is replaced by the
 * manifest's text (Apollo never sees the id, so nothing can be stored under one: its APQ stays off),
 * an unknown id is PERSISTED_QUERY_NOT_FOUND, and in `require` mode a full document is refused.
 */
export function resolveTrustedRequest(
  mode: TrustedDocumentsMode,
  documents: TrustedDocuments,
  input: GraphQLHttpInput,
): TrustedRequest {
  const forward = { kind: 'forward', search: input.search, body: input.body, csrfExempt: false } as const;
  if (mode === 'off') return forward;
  const isGet = input.method === 'GET' || input.method === 'HEAD';
  const params = new URLSearchParams(input.search);
  const body = isRecord(input.body) ? input.body : undefined;
  const extensions = isGet ? parseJsonParam(params.get('extensions')) : body?.['extensions'];
  const id = idOf(isGet ? (params.get('documentId') ?? undefined) : body?.['documentId'], extensions);

  if (id.kind === 'none') {
    // A body that is no JSON object (or a GET without a document) is left to Apollo's own 400.
    const hasDocument = isGet ? params.has('query') : body !== undefined && 'query' in body;
    return mode === 'require' && hasDocument
      ? { kind: 'refuse', status: 400, code: ErrorCode.TRUSTED_DOCUMENT_REQUIRED }
      : forward;
  }
  const document = id.kind === 'id' ? documents.get(id.hex) : undefined;
  const hasText = isGet ? params.has('query') : body !== undefined && 'query' in body;
  if (document === undefined && mode === 'allow' && hasText) {
    // PersistedQueryLink's retry after PERSISTED_QUERY_NOT_FOUND: the text with the hash. It runs as a
    // full document, and the hash is dropped so that nothing is stored under it.
    return stripped(isGet, params, body, withoutPersistedQuery(extensions), input);
  }
  if (document === undefined) {
    // 200, as Apollo Server answers it: PersistedQueryLink gives up on persisted queries for good after
    // a 400, but on this code in a 200 it resends the full document (accepted in `allow` mode).
    return { kind: 'refuse', status: 200, code: ErrorCode.PERSISTED_QUERY_NOT_FOUND };
  }
  const rest = withoutPersistedQuery(extensions);
  if (isGet) params.set('query', document.text);
  const forwarded = stripped(isGet, params, isGet ? body : { ...body, query: document.text }, rest, input);
  return { ...forwarded, csrfExempt: isGet && document.readOnly };
}

/** The request without its id (`documentId`, `extensions.persistedQuery`), as Apollo is to see it. */
function stripped(
  isGet: boolean,
  params: URLSearchParams,
  body: Record<string, unknown> | undefined,
  rest: unknown,
  input: GraphQLHttpInput,
): TrustedRequest & { kind: 'forward' } {
  if (isGet) {
    params.delete('documentId');
    params.delete('extensions');
    if (rest !== undefined) params.set('extensions', JSON.stringify(rest));
    return { kind: 'forward', search: `?${params.toString()}`, body: input.body, csrfExempt: false };
  }
  const { documentId: _id, extensions: _extensions, ...fields } = body ?? {};
  return {
    kind: 'forward',
    search: input.search,
    body: { ...fields, ...(rest !== undefined && { extensions: rest }) },
    csrfExempt: false,
  };
}
