import { customerLicenseFile } from "@/lib/customer-portal/view";
import { customerSession } from "@/lib/customer-portal/route-auth";
import { fileResponse } from "@/lib/http/responses";
import { defineRoute } from "@/lib/http/route";

/** The signed license file of the customer session's own license. */
export const GET = defineRoute({
  auth: customerSession,
  errors: "text",
  async handler({ caller }) {
    const file = await customerLicenseFile(caller);
    return fileResponse(file.yaml, { contentType: "application/yaml; charset=utf-8", filename: file.filename });
  },
});
