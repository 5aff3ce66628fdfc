import * as z from "../api/zod.ts";

// API errors from @kubernetes/client-node carry the HTTP status in `code`; its Watch's, in `statusCode`.
export function statusCode(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  if ("code" in error && typeof error.code === "number") return error.code;
  if ("statusCode" in error && typeof error.statusCode === "number") return error.statusCode;
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

/** A body that is plain text, not a Status: e.g. "404 page not found" for a resource nobody serves. */
function plainBody(error: Error): string | undefined {
  if (!("body" in error) || typeof error.body !== "string") return undefined;
  const text = error.body.trim().split("\n")[0] ?? "";
  // Not a JSON Status that did not parse, nor a proxy's HTML page.
  return text === "" || text.startsWith("{") || text.startsWith("<") ? undefined : text.slice(0, 200);
}

/** A short description for logs and Events, without the response headers client-node appends. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = statusCode(error);
  const message = statusMessage(error) ?? /"message":"((?:[^"\\]|\\.)*)"/.exec(error.message)?.[1]?.replace(/\\"/g, '"') ?? plainBody(error);
  if (message !== undefined) return `${code === undefined ? "" : `HTTP ${code}: `}${message}`;
  const firstLine = error.message.split("\n")[0] ?? error.message;
  // A refused watch is only its status line ("Forbidden"), with the code beside it.
  return code === undefined || firstLine.startsWith("HTTP") ? firstLine : `HTTP ${code}: ${firstLine}`;
}
