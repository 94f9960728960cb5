import { expect, test } from "@playwright/test";
import { createStaff, gotoHydrated, masked, PASSWORD, registerViaApi, SAME_ORIGIN, signIn, unique, uniqueIdNumber } from "./helpers";

test("staff find a user, freeze them, approve their verification, adjust the balance and see it all audited", async ({
  page,
  browser,
}) => {
  // A user with a real-name submission waiting.
  const name = `cust_${unique()}`;
  const email = `${name}@example.com`;
  const userCtx = await browser.newContext();
  const reg = await registerViaApi(userCtx.request, { email, username: name, password: PASSWORD });
  expect(reg.status(), await reg.text()).toBe(201);
  const { token, user } = await reg.json();
  const idNumber = uniqueIdNumber();
  const submitted = await userCtx.request.post("/api/v1/me/verification", {
    headers: { Authorization: `Bearer ${token}` },
    data: { real_name: "张伟", id_number: idNumber, consent_version: 1 },
  });
  expect(submitted.status(), await submitted.text()).toBeLessThan(300);

  // Staff sign in and open the console from the header.
  const staff = `ops.${unique()}@example.com`;
  createStaff(staff);
  await signIn(page, staff);
  await page.getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { name: "Staff console" })).toBeVisible();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");

  await page.getByLabel("Search users").fill(name);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("status")).toContainText("1 users found");
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(`#${user.id}`);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  // Staff see the ID number masked, and in full only by giving a reason.
  await expect(page.getByText(masked(idNumber)).first()).toBeVisible();
  await expect(page.getByText(idNumber)).toHaveCount(0);
  await page.getByRole("button", { name: "Reveal ID number" }).click();
  await expect(page.locator("form.reveal-form").getByRole("alert")).toBeVisible();
  await page.getByLabel("Reason for seeing the full ID number").fill("Support ticket 4711");
  await page.getByRole("button", { name: "Reveal ID number" }).click();
  await expect(page.getByTestId("revealed-id-number")).toHaveText(idNumber);

  // Freeze: the user can no longer sign in.
  await page.getByRole("button", { name: "Freeze account" }).click();
  await expect(page.getByRole("button", { name: "Unfreeze account" })).toBeVisible();
  const refused = await userCtx.request.post("/api/v1/auth/login", { data: { identifier: email, password: PASSWORD } });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).code).toBe("ACCOUNT_DISABLED");
  await page.getByRole("button", { name: "Unfreeze account" }).click();
  await expect(page.getByRole("button", { name: "Freeze account" })).toBeVisible();

  // Approve the real-name submission.
  await page.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByRole("heading", { name: /Real-name verification/ })).toContainText("Verified");

  // Adjust the balance; a bad amount gets a specific message first.
  await page.getByLabel("Currency").selectOption("CNY");
  await page.getByLabel("Amount").fill("1e3");
  await page.getByLabel("Reason", { exact: true }).fill("Refund for order 1001");
  await page.getByRole("button", { name: "Apply adjustment" }).click();
  await expect(page.getByText("without exponent notation")).toBeVisible();
  await page.getByLabel("Amount").fill("25");
  await page.getByRole("button", { name: "Apply adjustment" }).click();
  await expect(page.getByText(/Done: 25\.00 CNY/)).toBeVisible();
  await expect(page.locator("table").filter({ hasText: "Refund for order 1001" })).toBeVisible();
  const balances = await userCtx.request.get("/api/v1/wallet/balances", { headers: { Authorization: `Bearer ${token}` } });
  const cny = (await balances.json()).find((b: { currency: string }) => b.currency === "CNY");
  expect(cny.available).toBe("25.00");

  // The audit log has every step, filtered to this user.
  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  await page.getByLabel("Target user id").fill(String(user.id));
  await page.getByRole("button", { name: "Filter" }).click();
  const log = page.locator("table.audit-table");
  for (const action of [
    "id_number_revealed",
    "account_frozen",
    "account_unfrozen",
    "verification_approved",
    "balance_adjusted",
  ]) {
    await expect(log.getByText(action, { exact: true })).toBeVisible();
  }
  await expect(log).toContainText("Refund for order 1001");
  await expect(log).toContainText("Support ticket 4711");
  await userCtx.close();
});

test("batch create refuses a bad row, then creates every user", async ({ page }) => {
  const staff = `batch.${unique()}@example.com`;
  createStaff(staff);
  await signIn(page, staff);
  await gotoHydrated(page, "/admin/batch");
  const a = `a.${unique()}@example.com`;
  const b = `b.${unique()}@example.com`;
  await page.getByLabel("Users (CSV)").fill(`email,name\n${a},Ann\nnot-an-email,Bad\n${b},Ben\n`);
  await page.getByRole("button", { name: "Create users" }).click();
  await expect(page.getByRole("alert")).toContainText("no user was created");
  await expect(page.getByRole("list", { name: "Rows with problems" })).toContainText("Row 2");
  await page.getByLabel("Users (CSV)").fill(`email,name\n${a},Ann\n${b},Ben\n`);
  await page.getByRole("button", { name: "Create users" }).click();
  await expect(page.getByRole("status").filter({ hasText: "2 users created." })).toBeVisible();
  await expect(page.getByRole("link", { name: "Ann" })).toBeVisible();
});

test("a normal user cannot use the console", async ({ page, browser }) => {
  const name = `plain_${unique()}`;
  const ctx = await browser.newContext();
  expect((await registerViaApi(ctx.request, { email: `${name}@example.com`, username: name, password: PASSWORD })).status()).toBe(201);
  await ctx.close();
  await signIn(page, name);
  await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);
  await gotoHydrated(page, "/admin");
  await expect(page.getByRole("alert")).toContainText("not allowed");
  const res = await page.request.post("/api/fn/admin_search", { form: { q: "" }, headers: SAME_ORIGIN });
  expect(res.status()).toBe(403);
  expect((await res.json()).code).toBe("FORBIDDEN");
});
