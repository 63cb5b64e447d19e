import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { binary } from "./binaries";
import { cleanEnv, run } from "./process";

/**
 * skopeo as the independent OCI client: pushes the harness's layouts and pulls/inspects through
 * whatever a test stands up. Plain HTTP needs --*-tls-verify=false even on 127.0.0.1; a clean
 * HOME keeps the developer's auth.json and registries.conf overrides out.
 */

export interface Creds {
  username: string;
  password: string;
}

const credsArg = (flag: string, c?: Creds) => (c ? [flag, `${c.username}:${c.password}`] : []);

async function withHome<T>(fn: (home: string) => Promise<T>): Promise<T> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), "portcullis-skopeo-"));
  try {
    return await fn(home);
  } finally {
    await fs.rm(home, { recursive: true, force: true });
  }
}

/**
 * `skopeo copy oci:DIR:TAG docker://REF`; `ref` is "127.0.0.1:PORT/repo:tag". Returns the
 * pushed digest (skopeo's --digestfile). --preserve-digests makes skopeo fail rather than
 * silently re-encode, so the layout's digests are the registry's.
 */
export async function pushImage(layoutDir: string, ref: string, opts: { creds?: Creds; all?: boolean; tag?: string } = {}): Promise<{ digest: string }> {
  return withHome(async (home) => {
    const digestFile = path.join(home, "digest");
    const tag = opts.tag ?? ref.slice(ref.lastIndexOf(":") + 1);
    await run(
      binary("skopeo"),
      [
        "copy",
        "--insecure-policy",
        ...(opts.all ? ["--all"] : []),
        "--preserve-digests",
        "--dest-tls-verify=false",
        ...credsArg("--dest-creds", opts.creds),
        "--digestfile",
        digestFile,
        `oci:${layoutDir}:${tag}`,
        `docker://${ref}`,
      ],
      { env: cleanEnv(home), timeoutMs: 300_000 },
    );
    return { digest: (await fs.readFile(digestFile, "utf8")).trim() };
  });
}

/** `skopeo inspect [--raw]`: the parsed JSON (raw: the manifest as served). */
export async function skopeoInspect(ref: string, opts: { creds?: Creds; raw?: boolean; authfile?: string } = {}): Promise<Record<string, unknown>> {
  return withHome(async (home) => {
    const out = await run(
      binary("skopeo"),
      ["inspect", ...(opts.raw ? ["--raw"] : []), "--tls-verify=false", ...credsArg("--creds", opts.creds), ...(opts.authfile ? ["--authfile", opts.authfile] : []), `docker://${ref}`],
      { env: cleanEnv(home), timeoutMs: 120_000 },
    );
    return JSON.parse(out.stdout) as Record<string, unknown>;
  });
}

/** `skopeo copy docker://REF oci:DEST:pulled` (a pull), resolving with skopeo's result or rejecting with its stderr. */
export async function pullImage(ref: string, destDir: string, opts: { creds?: Creds; all?: boolean; authfile?: string; extraArgs?: string[] } = {}) {
  return withHome(async (home) =>
    run(
      binary("skopeo"),
      [
        "copy",
        "--insecure-policy",
        ...(opts.all ? ["--all"] : []),
        "--src-tls-verify=false",
        ...credsArg("--src-creds", opts.creds),
        ...(opts.authfile ? ["--authfile", opts.authfile] : []),
        ...(opts.extraArgs ?? []),
        `docker://${ref}`,
        `oci:${destDir}:pulled`,
      ],
      { env: cleanEnv(home), timeoutMs: 600_000 },
    ),
  );
}
