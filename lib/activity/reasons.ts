/**
 * What a pull attempt came to, and why: the proxy records each attempt with a result and, when it
 * was refused or ended early, a stable reason code. One table from each code to what happened in
 * plain words and what fixes it, for the activity views and the REST API's documentation.
 * Framework-free: the proxy reads the codes from here too.
 */
export const pullResults = ["pulled", "refused", "incomplete"] as const;
export type PullResult = (typeof pullResults)[number];

interface ReasonText {
  /** What happened, in a sentence. */
  what: string;
  /** What fixes it, and who has to do it. */
  fix: string;
}

export const REASONS = {
  unknown_license: {
    what: "The license ID is not one this team issued (mistyped, or a guess).",
    fix: "Check the license ID the customer logged in with (docker login with user LICENSE_ID); issue a license if they have none.",
  },
  revoked_license: {
    what: "The license has been revoked (or its customer archived, or its app deleted).",
    fix: "Issue the customer a new license if they should still pull.",
  },
  expired_license: {
    what: "The license has expired.",
    fix: "Issue the customer a new license, or one with a later expiry.",
  },
  wrong_app: {
    what: "The license is for another app than the one in the image path.",
    fix: "Give the customer the image path of their own app (proxy/<app slug>/…), or a license for this app.",
  },
  not_in_app: {
    what: "The image is not one of the images the app lists, and the app delivers only its listed images.",
    fix: "Add the image to the app on its page (Apps → the app → Images), or turn off \"only listed images\" there.",
  },
  registry_not_in_app: {
    what: "The image's registry is not one this app delivers from.",
    fix: "Add the registry to the app on the Images page, or give the customer an image path of a registry the app uses.",
  },
  no_registry: {
    what: "The team has no registry for the image path's host or registry name.",
    fix: "Add the registry on the Images page, or correct the host or registry name in the image path.",
  },
  too_many_refusals: {
    what: "The client's address had too many refused licenses in a minute, so the proxy stopped asking for a while.",
    fix: "Nothing, if these were guesses. A customer behind that address waits a minute, then pulls with a valid license.",
  },
  license_check_unavailable: {
    what: "The proxy could not reach the portal to check the license.",
    fix: "Check that the portal is up and that the proxy reaches it (PORTAL_INTERNAL_URL, PROXY_SERVICE_TOKEN); the customer retries.",
  },
  upstream_unauthorized: {
    what: "Your registry refused the credentials stored for it.",
    fix: "Rotate the registry's credentials on the Images page, then run its connection test.",
  },
  upstream_forbidden: {
    what: "Your registry accepted the credentials but denied access to this repository.",
    fix: "Grant the stored credentials pull access to the repository, or check the repository's name.",
  },
  upstream_not_found: {
    what: "Your registry does not have this repository, tag or digest.",
    fix: "Push the image, or give the customer a tag that exists.",
  },
  upstream_rate_limited: {
    what: "Your registry is rate limiting the proxy.",
    fix: "Raise the registry's pull limit (a paid plan, or credentials with a higher limit) or turn on the proxy cache for it.",
  },
  upstream_unavailable: {
    what: "Your registry did not answer, answered too slowly, or failed.",
    fix: "Check the registry's status; the customer retries. The proxy cache can serve tags it has seen while the registry is down.",
  },
  upstream_blocked: {
    what: "The registry's address is one this proxy may not reach (a private address, or plain HTTP).",
    fix: "Use a public HTTPS endpoint, or allow it on the proxy (ALLOW_PRIVATE_REGISTRY_HOSTS, INSECURE_REGISTRIES).",
  },
  bad_request: {
    what: "The request was not one the registry could answer (a malformed reference or parameter).",
    fix: "Check the image reference the customer used.",
  },
  client_disconnected: {
    what: "The client went away before the transfer finished (cancelled, or its connection dropped).",
    fix: "Nothing on your side; the client resumes or retries.",
  },
  upstream_cut: {
    what: "Your registry's stream ended before the whole content arrived, so the client's transfer was cut.",
    fix: "Check the registry's health; the client retries.",
  },
  verification_failed: {
    what: "The content your registry sent did not match its digest, so the proxy cut the transfer.",
    fix: "Check the registry's storage for corruption; the client retries.",
  },
  cache_failed: {
    what: "The proxy's cache store failed while it sent a copy it holds, so the client's transfer was cut.",
    fix: "Nothing on your side; the client retries. If it keeps happening, whoever runs Portcullis checks the cache store (CACHE_REGISTRY_URL) and its storage.",
  },
  other: {
    what: "The attempt failed for a reason the proxy did not classify.",
    fix: "Look for the request in the proxy's access log.",
  },
} as const satisfies Record<string, ReasonText>;

export type PullReason = keyof typeof REASONS;
export const pullReasons = Object.keys(REASONS) as [PullReason, ...PullReason[]];

export const isPullReason = (v: string | null | undefined): v is PullReason => !!v && Object.hasOwn(REASONS, v);

/** The portal's lookup answer code → the reason the activity records (codes not listed here are recorded as they are when they are reasons, else `other`). */
const LOOKUP_REASONS: Record<string, PullReason> = {
  unknown_license: "unknown_license",
  revoked: "revoked_license",
  expired: "expired_license",
  wrong_app: "wrong_app",
  unknown_registry: "no_registry",
};

export function reasonOfLookup(code: string): PullReason {
  return LOOKUP_REASONS[code] ?? (isPullReason(code) ? code : "other");
}

/** The reason for an upstream's HTTP status the proxy did not relay as content. */
export function reasonOfUpstreamStatus(status: number): PullReason {
  if (status === 401) return "upstream_unauthorized";
  if (status === 403) return "upstream_forbidden";
  if (status === 404) return "upstream_not_found";
  if (status === 429) return "upstream_rate_limited";
  if (status >= 500 || status < 200) return "upstream_unavailable";
  return "other";
}
