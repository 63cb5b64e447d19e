import { z } from "zod";
import "@/lib/validations/zod-config";
import { MAX_CACHE_STALE_SECONDS, MIN_CACHE_MAX_BYTES } from "@/lib/cache/schemas";

/**
 * The cache settings dialog's form, as people fill it in: caching on or off, a size cap as a
 * number and a unit (empty: no cap), the stale bound in hours. The dialog checks it before
 * sending (inline errors at once) and the server action parses it again into the settings
 * operation's input (lib/cache/schemas.ts, in bytes and seconds), which validates it once more.
 */

export const CAP_UNITS = { MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 } as const;
export type CapUnit = keyof typeof CAP_UNITS;
export const capUnits = Object.keys(CAP_UNITS) as CapUnit[];

const HOUR = 3600;
const MAX_STALE_HOURS = MAX_CACHE_STALE_SECONDS / HOUR;

/** A number as typed: digits with an optional decimal point or comma. */
const NUMBER_PATTERN = /^\d+(?:[.,]\d+)?$/;
const toNumber = (v: string) => Number(v.replace(",", "."));

const capMessage = "Enter the cap as a number, e.g. 20, or leave it empty for no cap.";
const staleMessage = `Enter the stale bound in hours, from 0 to ${MAX_STALE_HOURS} (30 days).`;

const bytesOf = (form: { maxSize: string; maxSizeUnit: CapUnit }) => Math.floor(toNumber(form.maxSize) * CAP_UNITS[form.maxSizeUnit]);

/** The cap and its unit passed their own checks. */
const capIsNumber = (payload: { issues: readonly { path?: readonly PropertyKey[] }[] }) =>
  !payload.issues.some((i) => i.path?.[0] === "maxSize" || i.path?.[0] === "maxSizeUnit");

export const cacheSettingsFormSchema = z
  .object({
    // The registry's; the operation checks it.
    id: z.string(),
    // Checkboxes send "on" when checked and nothing when not.
    enabled: z.string().optional().transform((v) => v === "on" || v === "true"),
    maxSize: z.string(capMessage).trim().refine((v) => v === "" || NUMBER_PATTERN.test(v), capMessage),
    maxSizeUnit: z.enum(capUnits, "Choose MiB, GiB or TiB."),
    maxStaleHours: z
      .string(staleMessage)
      .trim()
      .regex(NUMBER_PATTERN, staleMessage)
      .transform(toNumber)
      .refine((h) => h <= MAX_STALE_HOURS, staleMessage),
  })
  // Checked even when another field is wrong, so every mistake shows at once.
  .refine((form) => form.maxSize === "" || bytesOf(form) >= MIN_CACHE_MAX_BYTES, { path: ["maxSize"], message: "The cap must be at least 1 MiB.", when: capIsNumber })
  .refine((form) => form.maxSize === "" || bytesOf(form) <= Number.MAX_SAFE_INTEGER, { path: ["maxSize"], message: "The cap is too large.", when: capIsNumber })
  .transform((form) => ({ id: form.id, enabled: form.enabled, maxBytes: form.maxSize === "" ? null : bytesOf(form), maxStaleSeconds: Math.round(form.maxStaleHours * HOUR) }));

/** The settings operation's field → the form's field that holds it, for the server's messages. */
export const formFieldOf: Record<string, string> = { maxBytes: "maxSize", maxStaleSeconds: "maxStaleHours" };

/** A decimal as the form shows it: at most two places, no trailing zeros. */
const decimal = (n: number) => String(Math.round(n * 100) / 100);

/** The form's cap fields for a stored cap: the largest unit that shows it exactly (to two places), else MiB. */
export function capFields(maxBytes: number | null): { maxSize: string; maxSizeUnit: CapUnit } {
  if (maxBytes === null) return { maxSize: "", maxSizeUnit: "GiB" };
  for (const unit of [...capUnits].reverse()) {
    const value = Math.round((maxBytes / CAP_UNITS[unit]) * 100) / 100;
    if (value >= 1 && Math.floor(value * CAP_UNITS[unit]) === maxBytes) return { maxSize: decimal(value), maxSizeUnit: unit };
  }
  return { maxSize: decimal(maxBytes / CAP_UNITS.MiB), maxSizeUnit: "MiB" };
}

/** The form's stale bound, in hours. */
export const staleHours = (maxStaleSeconds: number) => decimal(maxStaleSeconds / HOUR);
