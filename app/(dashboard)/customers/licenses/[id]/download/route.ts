import { licenseFile } from "@/lib/licenses/operations";
import { invoke } from "@/lib/server/operation";
import { signedIn } from "@/lib/server/session-auth";
import { fileResponse } from "@/lib/http/responses";
import { defineRoute } from "@/lib/http/route";

/** The signed license file for the signed-in vendor (the Customers page's "Download YAML"). */
export const GET = defineRoute({
  auth: signedIn("Sign in to download license files."),
  errors: "text",
  async handler({ caller, params }) {
    const file = await invoke(licenseFile, caller, { id: params.id });
    return fileResponse(file.yaml, { contentType: "application/yaml; charset=utf-8", filename: file.filename });
  },
});
