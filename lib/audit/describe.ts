import type { AuditEventDto } from "./dto";

/**
 * An audit event in plain words: what happened ("Revoked license"), to what ("license …a1B2 of
 * Acme Corp for acme-suite"), the details worth reading, and the page the record lives on.
 * Pure, so the page and its tests share it; it reads only what lib/*\/operations.ts record.
 */
export interface AuditEventView {
  /** "Revoked license", "Changed role". */
  verb: string;
  /** "license …a1B2 of Acme Corp for acme-suite"; null when the event has no target. */
  target: string | null;
  /** Label and value pairs, in plain words. */
  details: [string, string][];
  /** Where the record is shown; undefined once it is deleted. */
  href?: string;
}

type Event = Pick<AuditEventDto, "action" | "targetType" | "targetLabel" | "metadata">;

export const actionLabels: Record<string, string> = {
  "user.sign_up": "Signed up",
  "team.create": "Created team",
  "member.invite": "Invited",
  "member.invite_revoke": "Revoked invite of",
  "member.join": "Joined:",
  "member.role_change": "Changed role of",
  "member.remove": "Removed member",
  "app.create": "Created app",
  "app.rename": "Renamed app",
  "app.delete": "Deleted app",
  "registry.create": "Added registry",
  "registry.update": "Edited registry",
  "registry.test": "Tested registry",
  "registry.rotate": "Rotated credentials of",
  "registry.delete": "Deleted registry",
  "registry.cache_settings": "Changed cache settings of",
  "registry.cache_purge": "Purged the cache of",
  "customer.create": "Added customer",
  "customer.archive": "Archived customer",
  "license.create": "Issued license",
  "license.revoke": "Revoked license",
  "token.create": "Created API token",
  "token.revoke": "Revoked API token",
};

const pages: Record<string, string> = { app: "/apps", registry: "/images", customer: "/customers", license: "/customers", token: "/tokens", user: "/settings", invite: "/settings", team: "/settings" };

const roleWords: Record<string, string> = { admin: "Admin", developer: "Developer", read_only: "Read-only" };

/** A metadata key in words: `expiresAt` → "expires at". */
const words = (key: string) => key.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/_/g, " ").toLowerCase();

function value(key: string, v: unknown): string {
  if (v === null || v === undefined) return key.toLowerCase().includes("expires") ? "never" : "none";
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "string") {
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v)) return `${v.replace("T", " ").slice(0, 16)} UTC`;
    return roleWords[v] && /role|from|to/i.test(key) ? roleWords[v] : v;
  }
  if (Array.isArray(v)) return v.length === 0 ? "none" : v.map((x) => value(key, x)).join(", ");
  if (typeof v === "object") return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${words(k)} ${value(k, x)}`).join(", ");
  return String(v);
}

/** Keys already said in the target, or internal ids nobody reads. */
const shownInTarget: Record<string, string[]> = { license: ["customer", "app"], invite: [], user: [] };
const hidden = new Set(["inviteId", "id", "teamId", "userId"]);

export function describeAuditEvent(e: Event): AuditEventView {
  const meta = e.metadata ?? {};
  const type = e.targetType ?? "";
  const verb = actionLabels[e.action] ?? e.action;
  const label = e.targetLabel;
  let target: string | null = label;
  if (type === "license" && label) {
    const customer = typeof meta.customer === "string" ? ` of ${meta.customer}` : "";
    const app = typeof meta.app === "string" ? ` for ${meta.app}` : "";
    target = `${label}${customer}${app}`;
  }
  if (e.action === "member.join" && typeof meta.role === "string") {
    return { verb: `Joined as ${(roleWords[meta.role] ?? meta.role).toLowerCase()}:`, target: label, details: [], href: pages.user };
  }
  const skip = new Set([...(shownInTarget[type] ?? []), ...hidden]);
  const details = Object.entries(meta)
    .filter(([k]) => !skip.has(k))
    .map(([k, v]): [string, string] => [words(k), value(k, v)]);
  const deleted = /\.(delete|remove|invite_revoke)$/.test(e.action);
  return { verb, target, details, ...(!deleted && pages[type] && { href: pages[type] }) };
}
