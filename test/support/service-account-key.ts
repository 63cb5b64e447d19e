import crypto from "node:crypto";

/**
 * A Google service-account key (JSON) the size of a real one (~2.3 KB: a 2048-bit PKCS#8 key in
 * PEM), which is why GCR can't sit behind htpasswd (passwords stop at 256 characters there):
 * gcr.io and Artifact Registry answer with a Bearer realm that takes Basic `_json_key:<key>`.
 */
export function serviceAccountKey(project: string): string {
  const email = `puller@${project}.iam.gserviceaccount.com`;
  return JSON.stringify({
    type: "service_account",
    project_id: project,
    private_key_id: "0123456789abcdef0123456789abcdef01234567",
    private_key: crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }),
    client_email: email,
    client_id: "123456789012345678901",
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: "https://oauth2.googleapis.com/token",
    auth_provider_x509_cert_url: "https://www.googleapis.com/oauth2/v1/certs",
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(email)}`,
  });
}
