import { handleAuthRequest } from "@/lib/auth/next-auth/handler";
import { decodeSignInError, type SignInError } from "@/lib/auth/sign-in-error";

/**
 * A browser's side of next-auth, for integration tests: the same requests `signIn()` of
 * next-auth/react sends (the CSRF token, then the credentials callback), made with plain Requests
 * against the portal's /api/auth handler, keeping cookies like a browser.
 */
export const PORTAL = "http://portal.test";

export class AuthBrowser {
  readonly cookies = new Map<string, string>();
  constructor(readonly headers: Record<string, string> = { "user-agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "x-forwarded-for": "198.51.100.7" }) {}

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  /** A cookie reader over this browser's cookies, as lib/auth/current-session.ts takes one. */
  jar() {
    return { get: (name: string) => (this.cookies.has(name) ? { value: this.cookies.get(name)! } : undefined) };
  }

  async request(path: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const headers = new Headers({ ...this.headers, cookie: this.cookieHeader() });
    let body: string | undefined;
    if (init.form) {
      headers.set("content-type", "application/x-www-form-urlencoded");
      body = new URLSearchParams(init.form).toString();
    }
    const res = await handleAuthRequest(new Request(PORTAL + path, { method: init.method ?? "GET", headers, body }), path.split("?")[0]!.replace(/^\/api\/auth\//, "").split("/"));
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const i = pair!.indexOf("=");
      const name = pair!.slice(0, i).trim();
      const value = decodeURIComponent(pair!.slice(i + 1).trim());
      const expired = attrs.some((a) => /expires=thu, 01 jan 1970/i.test(a.trim()) || /^max-age=0$/i.test(a.trim()));
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  async csrfToken(): Promise<string> {
    const res = await this.request("/api/auth/csrf");
    return ((await res.json()) as { csrfToken: string }).csrfToken;
  }

  /** Signs in with the Credentials provider: null when it worked, else the error the form would show. */
  async signIn(fields: Record<string, string>, csrfToken?: string): Promise<SignInError | null> {
    const token = csrfToken ?? (await this.csrfToken());
    const res = await this.request("/api/auth/callback/credentials", {
      method: "POST",
      form: { ...fields, csrfToken: token, callbackUrl: `${PORTAL}/apps`, json: "true" },
    });
    const { url } = (await res.json()) as { url: string };
    const answer = new URL(url).searchParams;
    // next-auth answers a bad CSRF token by sending the browser back to its sign-in page.
    if (answer.get("csrf") === "true") return { code: "csrf", message: "CSRF token refused" };
    const error = answer.get("error");
    return error ? decodeSignInError(error) : null;
  }

  async signOut(): Promise<void> {
    await this.request("/api/auth/signout", { method: "POST", form: { csrfToken: await this.csrfToken(), json: "true" } });
  }
}
