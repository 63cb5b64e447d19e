import { AppError } from "@/lib/errors";
import { readBodyText } from "./body";

/**
 * A request's JSON body, size-limited. "object": the REST API's reading (an empty body is `{}`,
 * anything but a JSON object is refused, with a field message for forms of clients); "value":
 * any JSON value, left to the route's schema.
 */
export type JsonBodyKind = "object" | "value";

const SEND_OBJECT = { fields: { _: "Send a JSON object." } };

export async function readJsonBody(req: Request, limit: number, kind: JsonBodyKind): Promise<unknown> {
  const text = await readBodyText(req, limit);
  if (text === null) throw new AppError("validation_failed", `The request body is larger than ${limit} bytes.`);
  if (kind === "value") {
    try {
      return JSON.parse(text);
    } catch {
      throw new AppError("validation_failed", "The request body is not JSON.");
    }
  }
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("validation_failed", "The request body is not valid JSON.", SEND_OBJECT);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AppError("validation_failed", "The request body must be a JSON object.", SEND_OBJECT);
  }
  return value;
}
