import { describe, expect, it } from "vitest";
import { OCI_ERRORS, ociAnswer, ociErrorBody } from "./errcode";

describe("OCI error codes", () => {
  it("each code has the status the distribution spec gives it", () => {
    expect(OCI_ERRORS.UNAUTHORIZED.status).toBe(401);
    expect(OCI_ERRORS.DENIED.status).toBe(403);
    expect(OCI_ERRORS.NAME_UNKNOWN.status).toBe(404);
    expect(OCI_ERRORS.MANIFEST_UNKNOWN.status).toBe(404);
    expect(OCI_ERRORS.BLOB_UNKNOWN.status).toBe(404);
    expect(OCI_ERRORS.NAME_INVALID.status).toBe(400);
    expect(OCI_ERRORS.TOOMANYREQUESTS.status).toBe(429);
    expect(OCI_ERRORS.UNSUPPORTED.status).toBe(405);
  });

  it("writes the body registry clients print, with the default message unless given one, and detail only when given", () => {
    expect(JSON.parse(ociErrorBody("DENIED", "No."))).toEqual({ errors: [{ code: "DENIED", message: "No." }] });
    expect(JSON.parse(ociErrorBody("NAME_UNKNOWN"))).toEqual({ errors: [{ code: "NAME_UNKNOWN", message: OCI_ERRORS.NAME_UNKNOWN.message }] });
    expect(JSON.parse(ociErrorBody("BLOB_UNKNOWN", "Gone.", { digest: "sha256:x" }))).toEqual({ errors: [{ code: "BLOB_UNKNOWN", message: "Gone.", detail: { digest: "sha256:x" } }] });
  });

  it("an answer takes the code's status unless told otherwise", () => {
    expect(ociAnswer("DENIED", "No.")).toEqual({ status: 403, code: "DENIED", message: "No." });
    expect(ociAnswer("DENIED", "Upstream said no.", { status: 502 })).toEqual({ status: 502, code: "DENIED", message: "Upstream said no." });
    expect(ociAnswer("UNAUTHORIZED", "Log in.", { headers: { "www-authenticate": "Basic" } }).headers).toEqual({ "www-authenticate": "Basic" });
  });
});
