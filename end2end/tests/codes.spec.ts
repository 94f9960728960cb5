import { expect, test } from "@playwright/test";
import {
  codeSentTo,
  createWithCli,
  gotoHydrated,
  messageCount,
  PASSWORD,
  registerViaApi,
  SAME_ORIGIN,
  signUpInBrowser,
  solveCaptcha,
  unique,
  uniquePhone,
} from "./helpers";

test("forgot password: code by email, new password, old sessions end", async ({ page, browser }) => {
  const email = `forgot.${unique()}@example.com`;
  const phone = uniquePhone();
  // Both contacts live (an operator made the account), so the reset by phone
  // tells the email.
  createWithCli({ email, phone }, "user");
  // Another browser is signed in with the old password.
  const other = await browser.newContext();
  const login = await other.request.post("/api/v1/auth/login", { data: { identifier: email, password: PASSWORD } });
  const oldToken = (await login.json()).token;

  await gotoHydrated(page, "/login");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page.getByRole("heading", { name: "Reset your password" })).toBeVisible();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  // By phone.
  await page.getByLabel("Email or phone number").fill(phone);
  await solveCaptcha(page);
  await page.getByRole("button", { name: "Send code" }).click();
  const masked = `${phone.slice(0, 3)}****${phone.slice(7)}`;
  await expect(page.getByRole("status").filter({ hasText: `We sent a code to ${masked}` })).toBeVisible();
  await expect(page.getByRole("button", { name: /Resend in \d+ s/ })).toBeDisabled();

  const code = await codeSentTo(phone);
  await page.getByLabel("Verification code").fill(code);
  await page.getByLabel("New password").fill("password");
  await page.getByRole("button", { name: "Reset password" }).click();
  await expect(page.getByText("This password is too common.")).toBeVisible();
  await page.getByLabel("New password").fill("A-Brand-New-Passphrase");
  await page.getByRole("button", { name: "Reset password" }).click();
  await expect(page.getByText("Your password was reset")).toBeVisible();

  // The other browser's session is over; the email was told.
  const me = await other.request.get("/api/v1/me", { headers: { Authorization: `Bearer ${oldToken}` } });
  expect(me.status()).toBe(401);
  await expect.poll(() => messageCount(email)).toBe(1);
  await other.close();

  await page.getByRole("link", { name: "Sign in" }).first().click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Email, phone or username").fill(email);
  await page.getByLabel("Password").fill("A-Brand-New-Passphrase");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/profile$/);
});

test("forgot password answers the same for an unknown address", async ({ page }) => {
  const email = `ghost.${unique()}@example.com`;
  await gotoHydrated(page, "/forgot");
  await page.getByLabel("Email or phone number").fill(email);
  await solveCaptcha(page);
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByRole("status").filter({ hasText: "We sent a code to g***@example.com" })).toBeVisible();
  await page.waitForTimeout(300);
  expect(messageCount(email)).toBe(0);
});

test("bind a phone number from the security page", async ({ page }) => {
  const email = `bind.${unique()}@example.com`;
  const phone = uniquePhone();
  await signUpInBrowser(page, { email, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);

  await gotoHydrated(page, "/security");
  await page.getByRole("button", { name: "Add phone number" }).click();
  await page.getByLabel("New phone number").fill(phone);
  await solveCaptcha(page);
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByRole("status").filter({ hasText: "We sent a code" })).toBeVisible();
  await page.getByLabel("Verification code").fill("000000" === (await codeSentTo(phone)) ? "111111" : "000000");
  await page.getByRole("button", { name: "Add phone number" }).click();
  await expect(page.getByText("The code is incorrect or has expired.")).toBeVisible();
  await page.getByLabel("Verification code").fill(await codeSentTo(phone));
  await page.getByRole("button", { name: "Add phone number" }).click();

  await expect(page.getByText(phone, { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Change phone number" })).toBeVisible();
  await gotoHydrated(page, "/profile");
  await expect(page.getByText(phone)).toBeVisible();
  // Both the email (from sign-up) and the phone are verified now.
  await expect(page.getByText("Verified", { exact: true })).toHaveCount(2);
});

test("sign in with a code instead of the password", async ({ page }) => {
  const email = `codein.${unique()}@example.com`;
  const phone = uniquePhone();
  createWithCli({ email, phone }, "user");

  await gotoHydrated(page, "/login");
  await page.getByRole("tab", { name: "With a code" }).click();
  await expect(page.getByRole("tab", { name: "With a code" })).toHaveAttribute("aria-selected", "true");
  await page.getByLabel("Email or phone number").fill(phone);
  await solveCaptcha(page);
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByRole("status").filter({ hasText: "We sent a code" })).toBeVisible();
  await page.getByLabel("Verification code").fill(await codeSentTo(phone));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByText(email)).toBeVisible();
});

test("change the password on the security page", async ({ page }) => {
  const email = `chpw.${unique()}@example.com`;
  await signUpInBrowser(page, { email, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);
  await gotoHydrated(page, "/security");
  await page.getByLabel("Current password").fill("not my password");
  await page.getByLabel("New password", { exact: true }).fill("Another-Long-Passphrase");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("The current password is incorrect.")).toBeVisible();
  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Password changed.")).toBeVisible();

  const res = await page.request.post("/api/v1/auth/login", {
    data: { identifier: email, password: "Another-Long-Passphrase" },
    headers: SAME_ORIGIN,
  });
  expect(res.status()).toBe(200);
});

test("a phone given at sign-up stays pending until verified from the security page", async ({ page }) => {
  const email = `pend.${unique()}@example.com`;
  const phone = uniquePhone();
  // The code goes to the email; nothing proves the phone yet.
  await signUpInBrowser(page, { email, phone, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);

  await gotoHydrated(page, "/security");
  await expect(page.getByText(phone, { exact: true })).toBeVisible();
  await expect(page.getByText("Pending: not verified, not usable yet")).toBeVisible();
  await expect(page.getByRole("button", { name: "Add phone number" })).toHaveCount(0);
  await page.getByRole("button", { name: "Verify phone number" }).click();
  // The form opens with the pending number filled in.
  await expect(page.getByLabel("New phone number")).toHaveValue(phone);
  await solveCaptcha(page);
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByRole("status").filter({ hasText: "We sent a code" })).toBeVisible();
  await page.getByLabel("Verification code").fill(await codeSentTo(phone));
  await page.getByRole("button", { name: "Verify phone number" }).click();

  await expect(page.getByRole("button", { name: "Change phone number" })).toBeVisible();
  await expect(page.getByText("Pending: not verified, not usable yet")).toHaveCount(0);
  await expect(page.getByText("Verified", { exact: true })).toHaveCount(2);
});
