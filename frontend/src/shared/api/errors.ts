import type { CombinedError } from '@urql/core';

/** The domain error codes the gateway puts in a GraphQL error's extensions.code. */
export type ErrorCode =
  | 'EINVALID'
  | 'ENOTFOUND'
  | 'EUNAUTHORIZED'
  | 'EFORBIDDEN'
  | 'ECONFLICT'
  | 'ERATELIMITED'
  | 'EUNAVAILABLE'
  | 'EINTERNAL'
  | 'ERESYNC';

type MaybeError = CombinedError | null | undefined;

/** The code of the first GraphQL error that has one. */
export function errorCode(error: MaybeError): ErrorCode | undefined {
  for (const e of error?.graphQLErrors ?? []) {
    const code = e.extensions?.code;
    if (typeof code === 'string') return code as ErrorCode;
  }
  return undefined;
}

/** True when the session is missing or no longer valid, so the person has to sign in again. */
export function isUnauthorized(error: MaybeError): boolean {
  if (!error) return false;
  if (errorCode(error) === 'EUNAUTHORIZED') return true;
  const status = (error.response as { status?: number } | undefined)?.status;
  return status === 401;
}

/** The user-safe words of an error: the gateway's message, without urql's "[GraphQL]" prefix. */
export function errorMessage(error: MaybeError): string {
  if (!error) return '';
  const first = error.graphQLErrors[0];
  if (first) return first.message;
  if (error.networkError) return `Couldn't reach Convrs (${error.networkError.message}). Check the connection and try again.`;
  return error.message;
}

/** Errors grouped by the form field they name (extensions.field), and those that name none of the form's. */
export interface FieldErrors<F extends string = string> {
  fields: Partial<Record<F, string>>;
  other: string[];
}

/**
 * Splits EINVALID errors by extensions.field among a form's fields. A dotted path ("customer.email") is reduced
 * to its last part, so forms can key errors by their own field names; an error naming a field the form does not
 * have goes to `other`, so that it is still shown.
 */
export function fieldErrors<F extends string>(error: MaybeError, known: readonly F[]): FieldErrors<F> {
  const result: FieldErrors<F> = { fields: {}, other: [] };
  if (!error) return result;
  for (const e of error.graphQLErrors) {
    const field = e.extensions?.field;
    const key = typeof field === 'string' ? field.split('.').pop() : undefined;
    if (e.extensions?.code === 'EINVALID' && key && (known as readonly string[]).includes(key)) {
      result.fields[key as F] ??= e.message;
    } else {
      result.other.push(e.message);
    }
  }
  if (error.graphQLErrors.length === 0) result.other.push(errorMessage(error));
  return result;
}

/** An ECONFLICT error that names an existing record the person can use instead, e.g. a matching customer. */
export interface Conflict {
  /** The gateway's words, e.g. "This matches Bob Smith (bob@example.com)". */
  message: string;
  /** The existing record's id from extensions (e.g. extensions.customerId), when the gateway sent one. */
  id: string | null;
  /** The input field whose value matched (extensions.field), when the gateway named one. */
  field: string | null;
}

/** The first ECONFLICT error, with the id found under `idKey` in its extensions. */
export function conflictOf(error: MaybeError, idKey: string): Conflict | null {
  for (const e of error?.graphQLErrors ?? []) {
    if (e.extensions?.code !== 'ECONFLICT') continue;
    const id = e.extensions[idKey];
    const field = e.extensions.field;
    return {
      message: e.message,
      id: typeof id === 'string' && id !== '' ? id : null,
      field: typeof field === 'string' && field !== '' ? (field.split('.').pop() ?? null) : null,
    };
  }
  return null;
}
