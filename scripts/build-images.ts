/**
 * `npm run build:images`: `npm run build` on the host, then the container image from its output
 * (Containerfile) with podman.
 *
 * The base image is BASE_IMAGE when set. Otherwise the official node:20-bookworm-slim, or, when
 * that registry can't be reached, an equivalent built here without any registry: a Debian
 * bookworm minbase (mmdebstrap, from Debian's mirror) with this machine's Node 20 binary
 * (localhost/portcullis-base:bookworm-node<version>, built once and reused).
 *
 *   npm run build:images [-- --no-build]   --no-build: use the existing build output
 *   IMAGE=localhost/portcullis:dev BASE_IMAGE=… npm run build:images
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULT_IMAGE, hasPodman, podman } from "./podman";

const root = path.resolve(import.meta.dirname, "..");
const OFFICIAL_BASE = "docker.io/library/node:20-bookworm-slim";

function fail(message: string): never {
  console.error(`build:images: ${message}`);
  process.exit(1);
}

function step(message: string) {
  console.log(`\n=== ${message}`);
}

function reachable(image: string): boolean {
  if (podman(["image", "exists", image]).status === 0) return true;
  return podman(["inspect", "--retry-times=0", `docker://${image}`], { cmd: "skopeo", timeoutMs: 30_000 }).status === 0;
}

/** A node:20-bookworm-slim equivalent: Debian minbase + the host's node binary. */
function localBase(): string {
  const version = process.versions.node;
  if (!version.startsWith("20.")) fail(`the local base image takes this machine's node, which is ${version}, not 20.x`);
  const tag = `localhost/portcullis-base:bookworm-node${version}`;
  if (podman(["image", "exists", tag]).status === 0) return tag;
  const mmdebstrap = spawnSync("mmdebstrap", ["--version"], { stdio: "ignore" });
  if (mmdebstrap.status !== 0) fail(`${OFFICIAL_BASE} is unreachable and mmdebstrap is missing (apt-get install -y mmdebstrap), or set BASE_IMAGE`);
  step(`${OFFICIAL_BASE} is unreachable: building ${tag} (Debian bookworm minbase + ${process.execPath})`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-base-"));
  try {
    const tarball = path.join(work, "rootfs.tar");
    const r = spawnSync(
      "mmdebstrap",
      [
        "--variant=minbase",
        "--include=ca-certificates,libstdc++6",
        `--customize-hook=copy-in ${process.execPath} /usr/local/bin`,
        "--customize-hook=chroot \"$1\" sh -c 'rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin'",
        "bookworm",
        tarball,
      ],
      { stdio: "inherit" },
    );
    if (r.status !== 0) fail("mmdebstrap failed");
    const imported = podman(["import", "--change", 'CMD ["node"]', "--change", "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin", tarball, tag]);
    if (imported.status !== 0) fail(`podman import failed: ${imported.stderr.trim()}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return tag;
}

function baseImage(): string {
  const given = process.env.BASE_IMAGE;
  if (given) return given;
  step(`base image: ${OFFICIAL_BASE}?`);
  return reachable(OFFICIAL_BASE) ? OFFICIAL_BASE : localBase();
}

function revision(): string {
  const r = spawnSync("git", ["rev-parse", "HEAD"], { cwd: root, encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : "unknown";
}

if (!hasPodman()) fail("podman is not installed (apt-get install -y podman buildah uidmap slirp4netns fuse-overlayfs runc)");
const image = process.env.IMAGE || DEFAULT_IMAGE;
const version = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version;

const base = baseImage();
if (!process.argv.includes("--no-build")) {
  step("npm run build");
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "scripts", "build.ts")], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) fail("npm run build failed");
}
for (const needed of [".next/standalone/.next/BUILD_ID", "dist/start.mjs", "dist/proxy.mjs", "dist/portcullis.mjs"]) {
  if (!fs.existsSync(path.join(root, needed))) fail(`${needed} is missing: run npm run build (the default build folder, .next)`);
}

step(`podman build ${image} (base ${base})`);
const previous = podman(["image", "inspect", "--format", "{{.Id}}", image]).stdout.trim();
const built = podman(
  ["build", "--format", "docker", "--build-arg", `BASE_IMAGE=${base}`, "--build-arg", `VERSION=${version}`, "--build-arg", `REVISION=${revision()}`, "-f", "Containerfile", "-t", image, "."],
  { inherit: true },
);
if (built.status !== 0) fail("podman build failed");
// The image this tag named before goes if nothing else names it (and no container uses it).
const current = podman(["image", "inspect", "--format", "{{.Id}}", image]).stdout.trim();
if (previous && previous !== current && podman(["image", "inspect", "--format", "{{len .RepoTags}}", previous]).stdout.trim() === "0") {
  podman(["rmi", previous]);
}
const size = podman(["image", "inspect", "--format", "{{.Size}}", image]).stdout.trim();
console.log(`\n${image}: ${(Number(size) / 1e6).toFixed(0)} MB (base ${base})`);
