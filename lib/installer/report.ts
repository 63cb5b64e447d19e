import type { ImageDecision } from "./decide";
import { suffixOf } from "./decide";
import type { RewriteResult } from "./rewrite";
import { formatImageReference } from "@/lib/oci/reference";

/** What `images rewrite` prints: the decision table, the exchanges for --explain, the summary. */

export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd());
}

/** Digests shortened for the table (--explain and the files keep them whole). */
const short = (image: string) => image.replace(/@(sha256|sha512):([a-f0-9]{12})[a-f0-9]+/, "@$1:$2…");
const target = (d: ImageDecision) => (d.newName ? short(d.newName + suffixOf(d.image)) : "(unchanged)");

export function decisionTable(decisions: readonly ImageDecision[]): string[] {
  const rows = decisions.map((d) => [short(d.image), d.decision, d.reason, target(d)]);
  return table(["IMAGE", "DECISION", "REASON", "PULLED AS"], rows);
}

export function explain(decisions: readonly ImageDecision[]): string[] {
  const out: string[] = [];
  for (const d of decisions) {
    out.push("", `${d.image}  →  ${formatImageReference(d.ref)}`);
    const where = d.uses.map((u) => `${u.file}:${u.line} (${u.field === "containers" ? "container" : u.field.replace(/s$/, "")} ${u.container})`);
    out.push(`  used at ${where.join(", ")}`);
    if (d.exchange.length === 0) out.push("  (no request: decided without asking the registry)");
    for (const step of d.exchange) {
      out.push(`  > ${step.request}`);
      for (const h of step.sent ?? []) out.push(`  >   ${h}`);
      if (step.status !== undefined) out.push(`  < ${step.status}`);
      for (const h of step.received ?? []) out.push(`  <   ${h}`);
      if (step.error) out.push(`  ! ${step.error}`);
    }
    out.push(`  = ${d.reason.startsWith(d.decision) ? d.reason : `${d.decision}: ${d.reason}`}`);
  }
  return out;
}

export function summary(r: RewriteResult): string[] {
  const rewritten = r.decisions.filter((d) => d.newName).length;
  const out = [
    `${r.decisions.length} image(s): ${rewritten} rewritten, ${r.decisions.length - rewritten} left as written; ${r.workloads} workload(s) patched with imagePullSecrets ${r.secretName} and their rewritten images; Secret ${r.secretName} in ${r.namespaces.join(", ")}.`,
  ];
  for (const f of r.files) out.push(`  ${f.status.padEnd(9)} ${f.path}`);
  return out;
}
