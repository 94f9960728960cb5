import { expect, test } from "@playwright/test";
import { createWithCli, gotoHydrated, PASSWORD, registerViaApi, SAME_ORIGIN, signIn, unique } from "./helpers";

test("a super admin adds a currency in the console and it shows in a user's wallet, in the user's language", async ({
  page,
  browser,
}) => {
  const suffix = unique().toUpperCase().slice(-6);
  const code = `G${suffix}`;
  const alias = `gem-${suffix.toLowerCase()}`;

  // The super admin opens the console's currency page.
  const boss = `boss.${unique()}@example.com`;
  createWithCli({ email: boss }, "super_admin");
  await signIn(page, boss);
  await gotoHydrated(page, "/admin/currencies");
  await expect(page.getByRole("heading", { name: "Currencies", level: 1 })).toBeVisible();
  // POINTS is there from the start, in whole numbers.
  const points = page.getByRole("row").filter({ hasText: "POINTS" });
  await expect(points).toContainText("积分");
  await expect(points.getByRole("cell").nth(3)).toHaveText("0");

  // A bad code gets a specific message, and nothing is added.
  const add = page.getByRole("form", { name: "Add a currency" });
  await add.getByLabel("Code").fill("gems");
  await add.getByLabel("Name", { exact: true }).fill("Gems");
  await add.getByRole("button", { name: "Add currency" }).click();
  await expect(add.getByRole("alert")).toContainText("Currency code: 2–10 capital letters or digits");

  await add.getByLabel("Code").fill(code);
  await add.getByLabel("Name", { exact: true }).fill("Gems");
  await add.getByLabel("Chinese name (optional)").fill("宝石");
  await add.getByLabel("Decimal places").fill("0");
  await add.getByLabel("Aliases (optional)").fill(alias);
  await add.getByRole("button", { name: "Add currency" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Currency ${code} added.` })).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: code });
  await expect(row).toContainText("Gems");
  await expect(row).toContainText(alias);
  await expect(row).toContainText("Enabled");

  // A user sees it in their wallet at once, with a zero balance.
  const name = `gem_${unique()}`;
  const email = `${name}@example.com`;
  const userCtx = await browser.newContext();
  const reg = await registerViaApi(userCtx.request, { email, username: name, password: PASSWORD });
  expect(reg.status(), await reg.text()).toBe(201);
  const { token, user } = await reg.json();
  const userPage = await userCtx.newPage();
  await signIn(userPage, email);
  await gotoHydrated(userPage, "/wallet");
  const card = userPage.getByRole("listitem").filter({ has: userPage.getByRole("button", { name: `Show ${code}` }) });
  await expect(card).toContainText("Gems");
  await expect(card.locator(`dl[data-currency="${code}"]`)).toContainText("0");
  // In Chinese, its Chinese name.
  await userPage.getByLabel("Language").selectOption("zh-CN");
  await expect(card).toContainText("宝石");
  await userPage.getByLabel("语言").selectOption("en");
  await expect(card).toContainText("Gems");

  // Staff credit some by its alias through the API; the wallet shows it.
  const deposit = await page.request.post("/api/v1/admin/wallet/deposit", {
    headers: SAME_ORIGIN,
    data: { user_id: user.id, currency: alias, amount: "12", memo: "Welcome gems", request_id: `gems-${unique()}` },
  });
  expect(deposit.status(), await deposit.text()).toBe(201);
  expect((await deposit.json()).currency).toBe(code);
  await userPage.reload();
  await expect(userPage.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(card.locator(`dl[data-currency="${code}"]`)).toContainText("12");

  // Rename it; then its scale is fixed, since money has moved.
  await page.getByRole("link", { name: `Edit ${code}` }).click();
  const edit = page.getByRole("form", { name: `Edit ${code}` });
  await expect(edit.getByLabel("Decimal places")).toBeDisabled();
  await expect(edit).toContainText("Fixed: money has moved in this currency.");
  await edit.getByLabel("Name", { exact: true }).fill("Shiny gems");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: `${code} saved.` })).toBeVisible();
  await expect(row).toContainText("Shiny gems");

  // Disabled: the holder still sees their gems, marked, and cannot send them.
  await page.getByRole("button", { name: `Disable ${code}` }).click();
  await expect(row).toContainText("Disabled");
  await userPage.reload();
  await expect(userPage.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(card).toContainText("Shiny gems");
  await expect(card).toContainText("Disabled: withdrawals only");
  await expect(userPage.getByLabel("Currency").locator(`option[value="${code}"]`)).toHaveCount(0);
  const refused = await userCtx.request.get(`/api/v1/currencies`);
  expect((await refused.json()).map((c: { code: string }) => c.code)).not.toContain(code);
  // No new money in.
  const more = await page.request.post("/api/v1/admin/wallet/deposit", {
    headers: SAME_ORIGIN,
    data: { user_id: user.id, currency: code, amount: "1", request_id: `gems-${unique()}` },
  });
  expect(more.status()).toBe(409);
  expect((await more.json()).code).toBe("CURRENCY_DISABLED");
  // Enabled again.
  await page.getByRole("button", { name: `Enable ${code}` }).click();
  await expect(row).toContainText("Enabled");
  expect(token).toBeTruthy();
  await userCtx.close();
});

test("the currency page is for super admins only", async ({ page }) => {
  const staff = `clerk.${unique()}@example.com`;
  createWithCli({ email: staff }, "staff");
  await signIn(page, staff);
  await gotoHydrated(page, "/admin/currencies");
  await expect(page.getByRole("alert")).toContainText("Only super admins manage currencies.");
  await expect(page.getByRole("form", { name: "Add a currency" })).toHaveCount(0);
});
