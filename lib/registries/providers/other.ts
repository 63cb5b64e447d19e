import { z } from "zod";
import { detectProvider, normalizeEndpoint } from "@/lib/oci/endpoint";
import { defineProvider } from "./types";
import { required, secretText } from "./shared";

/** Any OCI registry (Docker Hub, GHCR, Quay, Artifactory, Harbor…): a username and a password or token, sent as HTTP Basic. */
export const other = defineProvider({
  id: "other",
  view: {
    tab: "Other Registry or Docker Hub",
    usernameLabel: "Username",
    endpoint: {
      placeholder: "ghcr.io",
      hint: "For example docker.io (Docker Hub), ghcr.io, quay.io, myco.jfrog.io or harbor.example.com:8443. https:// is assumed.",
    },
    fields: [
      { name: "username", label: "Username", newLabel: "New username", input: "text", prefillUsername: true },
      {
        name: "password",
        label: "Password or access token",
        newLabel: "New password or access token",
        input: "password",
        hint: "For Docker Hub, GHCR and Quay, prefer a read-only access token.",
      },
    ],
  },
  apiLabel: 'Any OCI registry (`provider: "other"`: Docker Hub, GHCR, Quay, Artifactory, Harbor…)',
  credentials: z.object({
    username: required("Enter the username.").trim().pipe(z.string().min(1, "Enter the username.").max(255, "At most 255 characters.")),
    password: secretText("Enter the password or access token.", 8192),
  }),
  secretField: "password",
  example: { endpoint: "ghcr.io", credentials: { username: "acme-bot", password: "ghp_exampleReadOnlyToken" } },
  usernameOf: (c) => c.username,
  fromStored: ({ username, secret }) => ({ username, password: secret }),
  toOci: (c) => ({ kind: "basic", username: c.username, password: c.password }),
  endpoint: normalizeEndpoint,
  kindLabel(endpoint, dockerHubRegistry) {
    const host = endpoint.hostname.toLowerCase();
    if (detectProvider(endpoint.host, dockerHubRegistry) === "docker-hub") return "Docker Hub";
    if (host === "ghcr.io") return "GitHub";
    if (host === "quay.io") return "Quay";
    if (host.endsWith(".jfrog.io")) return "JFrog Artifactory";
    if (host === "registry.gitlab.com") return "GitLab";
    return "OCI registry";
  },
});
