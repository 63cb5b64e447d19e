import fs from "node:fs";
import path from "node:path";
import { decideImages, type DecideOptions, type ImageDecision } from "./decide";
import { InstallerError } from "./errors";
import { loadManifestSet, OVERLAY_DIR, SNAPSHOT_DIR } from "./manifests";
import { buildOverlay, OVERLAY_FILES, OVERLAY_MARKER } from "./overlay";
import { pullSecretName } from "./pull-secret";
import { scanDocuments } from "./workloads";

/**
 * `portcullis images rewrite`, without the CLI: read DIR, decide, write DIR/overlays/midstream.
 * Everything is checked before the first byte is written, so an error leaves DIR as it was.
 */

export interface RewriteOptions extends Omit<DecideOptions, "airgap"> {
  dir: string;
  licenseId: string;
  namespace: string;
  additionalNamespaces: readonly string[];
  localRegistry?: string;
}

type FileStatus = "created" | "updated" | "unchanged" | "removed";

export interface RewriteResult {
  decisions: ImageDecision[];
  workloads: number;
  secretName: string;
  namespaces: string[];
  /** Paths relative to DIR. */
  files: Array<{ path: string; status: FileStatus }>;
  warnings: string[];
}

function writeIfChanged(file: string, content: string | Buffer, mode = 0o644): FileStatus {
  const existing = fs.existsSync(file) ? fs.readFileSync(file) : undefined;
  if (existing?.equals(Buffer.from(content))) return "unchanged";
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, content, { mode });
  fs.renameSync(tmp, file);
  return existing === undefined ? "created" : "updated";
}

/** Makes `dir` hold exactly `files`: the snapshot of a base the overlay can't reference in place. */
function syncSnapshot(dir: string, files: ReadonlyArray<{ path: string; content: Buffer }>): FileStatus {
  const existed = fs.existsSync(dir);
  const statuses = files.map((f) => writeIfChanged(path.join(dir, f.path), f.content));
  const wanted = new Set(files.map((f) => path.join(dir, f.path)));
  let removed = false;
  const prune = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) {
        prune(full);
        if (fs.readdirSync(full).length === 0) fs.rmdirSync(full);
      } else if (!wanted.has(full)) {
        fs.rmSync(full);
        removed = true;
      }
    }
  };
  prune(dir);
  if (!existed) return "created";
  return removed || statuses.some((s) => s !== "unchanged") ? "updated" : "unchanged";
}

export async function rewriteImages(opts: RewriteOptions): Promise<RewriteResult> {
  const root = path.resolve(opts.dir);
  const set = loadManifestSet(root);
  const { workloads, customResources } = scanDocuments(set.documents);
  const overlayDir = path.join(root, OVERLAY_DIR);
  const kustomizationFile = path.join(overlayDir, OVERLAY_FILES.kustomization);
  if (fs.existsSync(kustomizationFile) && !fs.readFileSync(kustomizationFile, "utf8").startsWith(OVERLAY_MARKER)) {
    throw new InstallerError(`${path.join(OVERLAY_DIR, OVERLAY_FILES.kustomization)} exists and was not written by portcullis: move it away first`);
  }

  const uses = [...workloads.flatMap((w) => w.images), ...customResources.flatMap((c) => c.images)];
  const decisions = await decideImages(uses, { ...opts, ...(opts.localRegistry && { airgap: { localRegistry: opts.localRegistry } }) });
  const overlay = buildOverlay({ ...opts, appSlug: opts.appSlug, baseRef: set.baseRef, decisions, workloads });

  const warnings: string[] = [];
  const secretName = pullSecretName(opts.appSlug);
  const namespaces = [opts.namespace, ...opts.additionalNamespaces];
  for (const w of workloads) {
    if (w.namespace && !namespaces.includes(w.namespace)) {
      warnings.push(`${w.file}:${w.line}: ${w.kind} ${w.name} is in namespace ${w.namespace}, which gets no ${secretName} Secret: add it to --additional-namespaces`);
    }
  }
  for (const c of customResources) {
    const kept = c.images.flatMap((u) => {
      const d = decisions.find((x) => x.image === u.image);
      return d?.newName ? [`${u.image} (through the proxy: ${d.newName}${u.image.slice(d.name.length)})`] : [];
    });
    if (kept.length > 0) {
      warnings.push(`${c.file}:${c.line}: ${c.kind} ${c.name} is a custom resource: only the pod specs of workloads are rewritten, so its images are left as written: ${kept.join(", ")}; if it makes pods, set those images and the ${secretName} Secret in it yourself`);
    }
  }
  if (opts.localRegistry) {
    warnings.push(`--airgap: the pods pull from ${opts.localRegistry}; if it needs a login, create a pull secret for it as well`);
  }

  const files: RewriteResult["files"] = [];
  const rel = (p: string) => path.relative(root, p).split(path.sep).join("/");
  const snapshotDir = path.join(overlayDir, SNAPSHOT_DIR);
  if (set.snapshot) {
    files.push({ path: `${rel(snapshotDir)}/ (${set.snapshot.length} files)`, status: syncSnapshot(snapshotDir, set.snapshot) });
  } else if (fs.existsSync(snapshotDir)) {
    fs.rmSync(snapshotDir, { recursive: true });
    files.push({ path: `${rel(snapshotDir)}/`, status: "removed" });
  }
  for (const name of [OVERLAY_FILES.secrets, OVERLAY_FILES.patches, OVERLAY_FILES.kustomization]) {
    const file = path.join(overlayDir, name);
    const content = overlay.files[name];
    // The secrets file holds the license ID: readable by its owner only.
    if (content !== undefined) files.push({ path: rel(file), status: writeIfChanged(file, content, name === OVERLAY_FILES.secrets ? 0o600 : 0o644) });
    else if (fs.existsSync(file)) {
      fs.rmSync(file);
      files.push({ path: rel(file), status: "removed" });
    }
  }
  return { decisions, workloads: workloads.length, secretName, namespaces, files, warnings };
}
