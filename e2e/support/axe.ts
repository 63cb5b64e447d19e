import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/** The two sizes every page is checked and photographed at. */
export const VIEWPORTS = {
  desktop: { width: 1440, height: 900 },
  phone: { width: 390, height: 844 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

export const SCREENS = "test-results/screens";

/**
 * Runs axe (every rule it runs by default, whatever the impact) on the page, or on the part of it
 * `include` selects (an open dialog), and fails with each violation's rule, impact and elements.
 */
export async function expectNoAxeViolations(page: Page, what: string, include?: string) {
  // Only violations are reported, so axe skips gathering the details of passes and incomplete checks.
  // Legacy mode runs axe in the page itself: the default opens a blank page per run to merge the
  // frames' results, a second of browser work per check that these pages (no iframes) don't need.
  let builder = new AxeBuilder({ page }).options({ resultTypes: ["violations"] }).setLegacyMode();
  if (include) builder = builder.include(include);
  const { violations } = await builder.analyze();
  const report = violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(" ")} — ${n.failureSummary?.split("\n").slice(1).join("; ")}`).join("\n")}`);
  expect(report, `axe on ${what}`).toEqual([]);
}

/**
 * At each size: axe on the page as it is, then a full-page screenshot named `<name>-<size>.png`.
 * A page reached by a link in the app replaces the last one only when it renders: wait for
 * something of its own (its heading) first. A page loaded anew (a form's GET) is checked once it
 * has loaded and has its title.
 */
export async function checkPage(page: Page, name: string, opts: { ready?: () => Promise<void> } = {}) {
  await page.waitForLoadState();
  // After a navigation inside the app the title follows the page's content: wait for it, so axe
  // sees the page as a user does once it has settled (a page without a title still fails here).
  await expect(page, `${name} has a title`).toHaveTitle(/\S/);
  for (const [size, viewport] of Object.entries(VIEWPORTS) as [ViewportName, (typeof VIEWPORTS)[ViewportName]][]) {
    await page.setViewportSize(viewport);
    await opts.ready?.();
    await expectNoAxeViolations(page, `${name} at ${size}`);
    // Nothing widens the page past the window: wide tables and commands scroll inside their boxes.
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name}'s width at ${size}`).toBeLessThanOrEqual(viewport.width);
    await page.screenshot({ path: `${SCREENS}/${name}-${size}.png`, fullPage: true });
  }
  await page.setViewportSize(VIEWPORTS.desktop);
}

/** At each size: opens a dialog with `open`, checks it with axe, photographs it and closes it with Escape. */
export async function checkDialog(page: Page, name: string, open: () => Promise<void>) {
  for (const [size, viewport] of Object.entries(VIEWPORTS) as [ViewportName, (typeof VIEWPORTS)[ViewportName]][]) {
    await page.setViewportSize(viewport);
    await open();
    const dialog = page.locator("dialog[open]").last();
    await expect(dialog).toBeVisible();
    await expectNoAxeViolations(page, `${name} dialog at ${size}`, "dialog[open]");
    await page.screenshot({ path: `${SCREENS}/${name}-${size}.png` });
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
  }
  await page.setViewportSize(VIEWPORTS.desktop);
}
