import { expect, test, type Page, type Response } from "@playwright/test";
import { signUp, uniqueEmail } from "./support/auth";

/**
 * Every page is served with a nonce-based Content-Security-Policy and the other security headers,
 * renders and runs its scripts with no CSP violation, and an injected inline script does not run.
 */
declare global {
  interface Window {
    __cspViolations: string[];
    __injected?: boolean;
  }
}

async function watchViolations(page: Page) {
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  const console: string[] = [];
  page.on("console", (m) => {
    if (/Content.Security.Policy/i.test(m.text())) console.push(m.text());
  });
  return console;
}

function expectSecurityHeaders(response: Response | null, path: string) {
  expect(response, path).not.toBeNull();
  const h = response!.headers();
  const csp = h["content-security-policy"] ?? "";
  expect(csp, path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'(;|$)/);
  for (const directive of ["default-src 'self'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'", "object-src 'none'", "img-src 'self' data:", "connect-src 'self'"]) {
    expect(csp, `${path}: ${directive}`).toContain(directive);
  }
  expect(csp, path).not.toContain("unsafe-eval");
  expect(h["x-content-type-options"], path).toBe("nosniff");
  expect(h["referrer-policy"], path).toBeTruthy();
  // Plain HTTP: no HSTS (a browser would ignore it anyway).
  expect(h["strict-transport-security"], path).toBeUndefined();
  return csp.match(/'nonce-([^']+)'/)![1]!;
}

test("every page has the security headers, runs its scripts under the CSP, and reports no violation", async ({ page }) => {
  const consoleViolations = await watchViolations(page);
  const visit = async (path: string) => {
    const response = await page.goto(path);
    const nonce = expectSecurityHeaders(response, path);
    // Next put this response's nonce on its scripts.
    expect(await page.locator(`script[nonce]`).count(), path).toBeGreaterThan(0);
    await page.waitForLoadState("networkidle");
    expect(await page.evaluate(() => window.__cspViolations), path).toEqual([]);
    return nonce;
  };

  const first = await visit("/sign-in");
  const second = await visit("/sign-in");
  expect(second).not.toBe(first); // a fresh nonce per response
  await visit("/sign-up");
  await visit("/invite/no-such-invite-token-000000000000");

  await signUp(page, { email: uniqueEmail("csp"), teamName: "CSP Team" });
  for (const path of ["/apps", "/images", "/customers", "/audit", "/tokens", "/settings", "/api-reference", "/tutorials/ecr", "/no-such-page"]) {
    await visit(path);
  }

  // Scripts really run: the slug follows the app name as it is typed (client-side code).
  await visit("/apps");
  await page.getByLabel("App name").fill("Nonce Check");
  await expect(page.getByLabel("Slug")).toHaveValue("nonce-check");

  expect(consoleViolations).toEqual([]);

  // Injected markup with an inline handler (the usual XSS) does not run, and is reported.
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const holder = document.createElement("div");
        holder.innerHTML = '<img src="/no-such-image.png" onerror="window.__injected = true">';
        holder.firstElementChild!.addEventListener("error", () => setTimeout(resolve, 100));
        document.body.appendChild(holder);
      }),
  );
  expect(await page.evaluate(() => window.__injected ?? false)).toBe(false);
  await expect.poll(() => page.evaluate(() => window.__cspViolations.length)).toBeGreaterThan(0);
});

test("HSTS when the request came over HTTPS (X-Forwarded-Proto from the proxy in front)", async ({ request }) => {
  const res = await request.get("/sign-in", { headers: { "x-forwarded-proto": "https" } });
  expect(res.headers()["strict-transport-security"]).toBe("max-age=31536000");
  const api = await request.get("/api/v1/apps", { headers: { "x-forwarded-proto": "https" } });
  expect(api.status()).toBe(401);
  expect(api.headers()["strict-transport-security"]).toBe("max-age=31536000");
  // Static assets are not run through the proxy.
  const page = await (await request.get("/sign-in")).text();
  const asset = page.match(/\/_next\/static\/[^"']+\.js/)![0];
  expect((await request.get(asset)).headers()["content-security-policy"]).toBeUndefined();
});
