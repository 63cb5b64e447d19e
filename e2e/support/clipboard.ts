import { expect, type Locator } from "@playwright/test";

/**
 * Clicks a copy button and returns what it put on the clipboard (the context needs the
 * clipboard permissions). The clipboard is emptied first and read until it holds something: the
 * click returns before the browser has written it, and an earlier copy of the same value can't
 * pass for this one.
 */
export async function copyWith(button: Locator): Promise<string> {
  const page = button.page();
  await page.evaluate(() => navigator.clipboard.writeText(""));
  await button.click();
  let copied = "";
  await expect.poll(async () => (copied = await page.evaluate(() => navigator.clipboard.readText()))).not.toBe("");
  return copied;
}
