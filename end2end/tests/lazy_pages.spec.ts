import { expect, Page, test } from "@playwright/test";
import { createWithCli, gotoHydrated, signIn, unique } from "./helpers";

/** The WASM files a page fetches while `run` runs, by name. */
async function wasmFetched(page: Page, run: () => Promise<void>): Promise<string[]> {
  const names: string[] = [];
  const seen = (url: string) => {
    const name = new URL(url).pathname;
    if (name.endsWith(".wasm")) names.push(name.replace(/^\/pkg\//, ""));
  };
  page.on("request", (req) => seen(req.url()));
  await run();
  page.removeAllListeners("request");
  return names;
}

test("sign-in loads only the main module; the wallet and the console load their own chunks", async ({
  page,
  request,
}) => {
  // Only the split release build (./scripts/run, ./scripts/test) has chunks.
  const home = await (await request.get("/")).text();
  test.skip(!home.includes("__wasm_split"), "a build without --split");

  const atLogin = await wasmFetched(page, () => gotoHydrated(page, "/login"));
  expect(atLogin).toHaveLength(1);
  expect(atLogin[0]).toMatch(/^user-center\./);

  const email = `lazy.${unique()}@example.com`;
  createWithCli({ email }, "super_admin");
  // Signing in opens /profile in the browser: its chunk comes then.
  const toProfile = await wasmFetched(page, () => signIn(page, email));
  expect(toProfile.some((f) => f.startsWith("split___profile_view"))).toBe(true);
  expect(toProfile.some((f) => f.startsWith("split___wallet_view"))).toBe(false);

  const nav = page.getByRole("navigation", { name: "Account pages" });
  const toWallet = await wasmFetched(page, async () => {
    await nav.getByRole("link", { name: "Wallet" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Wallet" })).toBeVisible();
  });
  expect(toWallet.some((f) => f.startsWith("split___wallet_view"))).toBe(true);
  expect(toWallet.some((f) => f.startsWith("split___admin"))).toBe(false);
  // Neither the main module nor the profile's chunk is fetched again.
  expect(toWallet.filter((f) => f.startsWith("user-center.") || f.startsWith("split___profile"))).toEqual([]);

  // A first visit straight to a console page preloads its chunk and works.
  const toConsole = await wasmFetched(page, () => gotoHydrated(page, "/admin"));
  expect(toConsole.some((f) => f.startsWith("split___admin_users_view"))).toBe(true);
  await page.getByLabel("Search users").fill(email);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("row").filter({ hasText: email })).toContainText("Exact match");
});
