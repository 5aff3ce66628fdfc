// API errors from @kubernetes/client-node carry the HTTP status in `code`.
export function statusCode(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "number") return error.code;
  return undefined;
}

export const isNotFound = (error: unknown): boolean => statusCode(error) === 404;
export const isConflict = (error: unknown): boolean => statusCode(error) === 409;
export const isAlreadyExists = isConflict;

/** A short description for logs and Events, without the response headers client-node appends. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const body = /"message":"((?:[^"\\]|\\.)*)"/.exec(error.message);
  const code = statusCode(error);
  return body?.[1] !== undefined ? `${code === undefined ? "" : `HTTP ${code}: `}${body[1].replace(/\\"/g, '"')}` : error.message.split("\n")[0] ?? error.message;
}
