import * as z from "../api/zod.ts";

// API errors from @kubernetes/client-node carry the HTTP status in `code`.
export function statusCode(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "number") return error.code;
  return undefined;
}

export const isNotFound = (error: unknown): boolean => statusCode(error) === 404;
export const isConflict = (error: unknown): boolean => statusCode(error) === 409;
export const isAlreadyExists = isConflict;

const StatusSchema = z.object({ message: z.string() });

/** The API server's Status message from client-node's `body`: an object, or the response text. */
function statusMessage(error: Error): string | undefined {
  if (!("body" in error)) return undefined;
  let body: unknown = error.body;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const status = StatusSchema.safeParse(body);
  return status.success ? status.data.message : undefined;
}

/** A short description for logs and Events, without the response headers client-node appends. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = statusCode(error);
  const message = statusMessage(error) ?? /"message":"((?:[^"\\]|\\.)*)"/.exec(error.message)?.[1]?.replace(/\\"/g, '"');
  return message !== undefined ? `${code === undefined ? "" : `HTTP ${code}: `}${message}` : error.message.split("\n")[0] ?? error.message;
}
