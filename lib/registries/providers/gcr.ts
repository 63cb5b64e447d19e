import { z } from "zod";
import { AppError } from "@/lib/errors";
import { parseServiceAccountKey } from "@/lib/oci/credentials";
import { validateGcrEndpoint } from "@/lib/oci/endpoint";
import { defineProvider } from "./types";
import { cloudEndpoint } from "./shared";

/**
 * Google Container Registry and Artifact Registry: a service account's JSON key, sent whole as
 * the password of `_json_key`. The key's client_email is the username.
 */

const EXAMPLE_KEY = JSON.stringify({
  type: "service_account",
  project_id: "acme",
  client_email: "puller@acme.iam.gserviceaccount.com",
  private_key: "-----BEGIN PRIVATE KEY-----\nMIIBexample\n-----END PRIVATE KEY-----\n",
});

export const gcr = defineProvider({
  id: "gcr",
  view: {
    tab: "Google GCR / Artifact Registry",
    usernameLabel: "Service account",
    endpoint: { placeholder: "europe-west1-docker.pkg.dev", hint: "gcr.io (or us.gcr.io, eu.gcr.io, asia.gcr.io) or <location>-docker.pkg.dev for Artifact Registry." },
    fields: [
      {
        name: "jsonKey",
        label: "JSON key",
        newLabel: "New JSON key",
        input: "json-key",
        placeholder: '{"type": "service_account", "client_email": "…", "private_key": "…"}',
        hint: "Paste the service account's key file or upload it. Give the account read access only (Artifact Registry Reader; Storage Object Viewer for gcr.io). It is sent as _json_key.",
      },
    ],
  },
  apiLabel: 'GCR/Artifact Registry (`"gcr"`)',
  credentials: z.object({
    jsonKey: z
      .string("Paste the JSON key or upload its file.")
      .trim()
      .min(1, "Paste the JSON key or upload its file.")
      .max(64 * 1024, "The JSON key is larger than 64 KiB: is it the right file?")
      .superRefine((key, ctx) => {
        try {
          parseServiceAccountKey(key);
        } catch (e) {
          ctx.addIssue({ code: "custom", message: e instanceof AppError ? e.message : "The JSON key is not a service-account key." });
        }
      }),
  }),
  secretField: "jsonKey",
  example: { endpoint: "europe-west1-docker.pkg.dev", credentials: { jsonKey: EXAMPLE_KEY } },
  usernameOf: (c) => parseServiceAccountKey(c.jsonKey).client_email,
  fromStored: ({ secret }) => ({ jsonKey: secret }),
  toOci: (c) => ({ kind: "gcr", jsonKey: c.jsonKey }),
  endpoint: cloudEndpoint(validateGcrEndpoint),
  kindLabel: (endpoint) => (endpoint.hostname.toLowerCase().endsWith(".pkg.dev") ? "Google Artifact Registry" : "Google Container Registry"),
});
