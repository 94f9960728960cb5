import { expect, Page, test } from "@playwright/test";
import { createStaff, gotoHydrated, PASSWORD, registerViaApi, signUpInBrowser, unique } from "./helpers";

/** A staff account made with the CLI (there is no default admin password). */
async function staffToken(page: Page): Promise<string> {
  const email = `admin.${unique()}@example.com`;
  createStaff(email);
  const res = await page.request.post("/api/v1/auth/login", { data: { identifier: email, password: PASSWORD } });
  expect(res.status()).toBe(200);
  return (await res.json()).token;
}

function balanceOf(page: Page, currency: string) {
  return page.locator(`dl[data-currency="${currency}"]`);
}

test("set a PIN, receive a deposit, send money, and see both histories", async ({ page, browser }) => {
  const alice = `alice.${unique()}@example.com`;
  const bobName = `bob_${unique()}`;
  const bob = `bob.${unique()}@example.com`;
  const other = await browser.newContext();
  const bobPage = await other.newPage();
  expect((await registerViaApi(bobPage.request, { email: bob, username: bobName, password: PASSWORD })).status()).toBe(201);

  await signUpInBrowser(page, { email: alice, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);
  const aliceId = Number(await page.getByTestId("user-id").innerText());

  // A staff member (or a service) tops Alice up with 100 CNY.
  const token = await staffToken(bobPage);
  const deposit = await bobPage.request.post("/api/v1/admin/wallet/deposit", {
    headers: { Authorization: `Bearer ${token}` },
    data: { user_id: aliceId, currency: "CNY", amount: "100", memo: "Welcome bonus", request_id: `dep-${unique()}` },
  });
  expect(deposit.status(), await deposit.text()).toBeLessThan(300);

  await page.getByRole("link", { name: "Wallet" }).first().click();
  await expect(page.getByRole("heading", { name: "Wallet", level: 1 })).toBeVisible();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(balanceOf(page, "CNY")).toContainText("100.00");
  await expect(page.getByRole("img", { name: /CNY balance over the last 30 days/ })).toBeVisible();

  // Activate payments with a PIN; weak and mismatched PINs are refused.
  await page.getByLabel("Payment PIN", { exact: true }).fill("123456");
  await page.getByLabel("Confirm payment PIN").fill("123456");
  await page.getByRole("button", { name: "Set PIN" }).click();
  await expect(page.getByRole("alert")).toContainText("too easy to guess");
  // The first PIN needs the sign-in password, not just the session.
  await page.getByLabel("Payment PIN", { exact: true }).fill("580263");
  await page.getByLabel("Confirm payment PIN").fill("580263");
  await page.getByRole("button", { name: "Set PIN" }).click();
  await expect(page.getByText("Confirm with your current password")).toBeVisible();
  await expect(page.getByLabel("Current password")).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByRole("button", { name: "Set PIN" }).click();
  await expect(page.getByRole("button", { name: "Change PIN" })).toBeVisible();

  // Send 12.5 CNY to Bob by username: confirm shows him masked.
  await page.getByLabel("Recipient's email, phone or username").fill(bobName);
  await page.getByLabel("Amount").fill("12.5");
  await page.getByLabel("Note").fill("Lunch");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText(`Send 12.50 CNY to ${bobName[0]}***?`)).toBeVisible();

  // A wrong PIN says how many tries are left and moves nothing.
  await page.getByLabel("Payment PIN").fill("111222");
  await page.getByRole("button", { name: "Confirm transfer" }).click();
  await expect(page.getByRole("alert")).toHaveText("Incorrect payment PIN. Tries left: 4.");
  await page.getByLabel("Payment PIN").fill("580263");
  await page.getByRole("button", { name: "Confirm transfer" }).click();
  // The confirmation outlives the reload of balances it causes.
  await expect(balanceOf(page, "CNY")).toContainText("87.50");
  await expect(page.getByText(`Sent 12.50 CNY to ${bobName[0]}***.`)).toBeVisible();

  const aliceRows = page.getByRole("row");
  await expect(aliceRows.filter({ hasText: "Transfer" })).toContainText("−12.50");
  await expect(aliceRows.filter({ hasText: "Transfer" })).toContainText("Lunch");
  await expect(aliceRows.filter({ hasText: "Deposit" })).toContainText("+100.00");

  // Bob sees the money arrive, from Alice (masked).
  await bobPage.goto("/login");
  await expect(bobPage.locator("body")).toHaveAttribute("data-hydrated", "true");
  await bobPage.getByLabel("Email, phone or username").fill(bob);
  await bobPage.getByLabel("Password").fill(PASSWORD);
  await bobPage.getByRole("button", { name: "Sign in" }).click();
  await expect(bobPage).toHaveURL(/\/profile$/);
  await gotoHydrated(bobPage, "/wallet");
  await expect(balanceOf(bobPage, "CNY")).toContainText("12.50");
  const bobRow = bobPage.getByRole("row").filter({ hasText: "Transfer" });
  await expect(bobRow).toContainText("+12.50");
  await expect(bobRow).toContainText("a***@example.com");
  await other.close();
});

test("the wallet needs a signed-in user", async ({ page }) => {
  await page.goto("/wallet");
  await expect(page).toHaveURL(/\/login\?next=(%2F|\/)wallet/);
});
