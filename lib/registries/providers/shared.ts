import net from "node:net";
import { z } from "zod";
import { normalizeEndpoint, type EndpointPolicy, type RegistryEndpoint } from "@/lib/oci/endpoint";

/** Building blocks of the provider files. Messages never quote a secret. */

export const required = (message: string) => z.string(message).min(1, message);

/** Passwords and tokens are taken as typed, except a trailing newline from a paste. */
export const secretText = (message: string, max: number) =>
  z
    .string(message)
    .transform((s) => s.replace(/[\r\n]+$/, ""))
    .pipe(z.string().min(1, message).max(max, `At most ${max} characters.`));

/** localhost or an IP literal: a registry a developer runs on their own machine. */
function isLocalHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || net.isIP(h) !== 0;
}

/**
 * The endpoint rule of a cloud provider: its endpoints must be that cloud's hosts (`validate`),
 * and only where the operator allows private hosts (development, tests) may a local stand-in
 * (localhost, an IP address) take their place.
 */
export const cloudEndpoint =
  (validate: (input: string, policy: EndpointPolicy) => RegistryEndpoint) =>
  (input: string, policy: EndpointPolicy): RegistryEndpoint => {
    const local = normalizeEndpoint(input, policy);
    return policy.allowPrivate && isLocalHost(local.hostname) ? local : validate(input, policy);
  };
