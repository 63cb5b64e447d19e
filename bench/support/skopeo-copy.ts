import crypto from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import { binary } from "@/test/support/registry/binaries";
import { cleanEnv, run } from "@/test/support/registry/process";

/** `skopeo copy docker://REF dir:…` into a scratch directory under `work` (deleted after); returns the seconds it took. */
export async function skopeoCopy(work: string, ref: string, creds?: string): Promise<number> {
  const dest = path.join(work, `dest-${crypto.randomBytes(4).toString("hex")}`);
  const home = await fsp.mkdtemp(path.join(work, "home-"));
  const started = performance.now();
  await run(binary("skopeo"), ["copy", "--insecure-policy", "--src-tls-verify=false", ...(creds ? ["--src-creds", creds] : []), `docker://${ref}`, `dir:${dest}`], {
    env: cleanEnv(home),
    timeoutMs: 1_800_000,
  });
  const seconds = (performance.now() - started) / 1000;
  await fsp.rm(dest, { recursive: true, force: true });
  await fsp.rm(home, { recursive: true, force: true });
  return seconds;
}
