import { expect, Page } from "@playwright/test";

/** Opens a page and waits until the WASM has hydrated it. */
export async function gotoHydrated(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** A unique suffix so runs never collide with earlier accounts. */
export function unique(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** A fresh mainland mobile number: 139 followed by 8 random digits. */
export function uniquePhone(): string {
  return "139" + String(Math.floor(Math.random() * 1e8)).padStart(8, "0");
}

export const PASSWORD = "Tr1cky-Horse-Battery";
