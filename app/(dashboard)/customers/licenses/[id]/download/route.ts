import { licenseFile } from "@/lib/licenses/operations";
import { invoke } from "@/lib/server/operation";
import { currentTeamContext } from "@/lib/server/request";
import { toAppError } from "@/lib/errors";

/** The signed license file for the signed-in vendor (the Customers page's "Download YAML"). */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const ctx = await currentTeamContext();
  if (!ctx) return new Response("Sign in to download license files.\n", { status: 401, headers: { "content-type": "text/plain; charset=utf-8" } });
  try {
    const file = await invoke(licenseFile, ctx, { id: (await params).id });
    return new Response(file.yaml, {
      headers: {
        "content-type": "application/yaml; charset=utf-8",
        "content-disposition": `attachment; filename="${file.filename}"`,
        "cache-control": "no-store",
      },
    });
  } catch (e) {
    const err = toAppError(e);
    return new Response(`${err.message}\n`, { status: err.status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
  }
}
