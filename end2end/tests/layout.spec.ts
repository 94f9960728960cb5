import { APIRequestContext, expect, Page, test } from "@playwright/test";
import { createWithCli, gotoHydrated, PASSWORD, signIn, unique } from "./helpers";

/** A staff member's token, for deposits (there is no default admin). */
async function staffToken(request: APIRequestContext): Promise<string> {
  const email = `layout.ops.${unique()}@example.com`;
  createWithCli({ email }, "super_admin");
  const res = await request.post("/api/v1/auth/login", { data: { identifier: email, password: PASSWORD } });
  expect(res.status()).toBe(200);
  return (await res.json()).token;
}

async function userId(page: Page): Promise<number> {
  await gotoHydrated(page, "/profile");
  return Number(await page.getByTestId("user-id").innerText());
}

test("signed in, the account pages link to each other and mark the page shown", async ({ page, browser }) => {
  await gotoHydrated(page, "/login");
  await expect(page.getByRole("navigation", { name: "Account pages" })).toHaveCount(0);

  const email = `nav.${unique()}@example.com`;
  createWithCli({ email }, "user");
  await signIn(page, email);
  const nav = page.getByRole("navigation", { name: "Account pages" });
  await expect(nav.getByRole("link", { name: "Profile" })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "Admin" })).toHaveCount(0);

  await nav.getByRole("link", { name: "Security" }).click();
  await expect(page).toHaveURL(/\/security$/);
  await expect(page.getByRole("heading", { name: "Security", level: 1 })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Security" })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "Profile" })).not.toHaveAttribute("aria-current", "page");
  // The sessions list is named for what it lists.
  await expect(page.getByRole("list", { name: "Signed-in sessions" })).toBeVisible();

  await nav.getByRole("link", { name: "Wallet" }).click();
  await expect(page).toHaveURL(/\/wallet$/);
  await expect(page.getByRole("heading", { name: "Wallet", level: 1 })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Wallet" })).toHaveAttribute("aria-current", "page");

  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Language").selectOption("zh-CN");
  const zhNav = page.getByRole("navigation", { name: "账户页面" });
  await expect(zhNav.getByRole("link", { name: "钱包" })).toHaveAttribute("aria-current", "page");
  await expect(zhNav.getByRole("link", { name: "个人资料" })).toBeVisible();
  await expect(zhNav.getByRole("link", { name: "账号安全" })).toBeVisible();
  await page.getByLabel("语言").selectOption("en");

  // Staff also get the console, current on its sub-pages too.
  const staff = `nav.ops.${unique()}@example.com`;
  createWithCli({ email: staff }, "staff");
  const ctx = await browser.newContext();
  const staffPage = await ctx.newPage();
  await signIn(staffPage, staff);
  const staffNav = staffPage.getByRole("navigation", { name: "Account pages" });
  await staffNav.getByRole("link", { name: "Admin" }).click();
  await expect(staffPage).toHaveURL(/\/admin$/);
  await gotoHydrated(staffPage, "/admin/audit");
  await expect(staffNav.getByRole("link", { name: "Admin" })).toHaveAttribute("aria-current", "page");
  await ctx.close();
});

test("the wallet history fits a phone and a desktop, and the chart has axis values", async ({ page, request }) => {
  const email = `history.${unique()}@example.com`;
  createWithCli({ email }, "user");
  await signIn(page, email);
  const id = await userId(page);
  const token = await staffToken(request);
  const note = "A long note about this deposit that has to wrap rather than push the amounts off the screen";
  const deposit = await request.post("/api/v1/admin/wallet/deposit", {
    headers: { Authorization: `Bearer ${token}` },
    data: { user_id: id, currency: "CNY", amount: "12345.67", memo: note, request_id: `dep-${unique()}` },
  });
  expect(deposit.status(), await deposit.text()).toBeLessThan(300);

  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 844 });
    await gotoHydrated(page, "/wallet");
    const history = page.getByRole("table", { name: /History/ });
    const amount = history.getByRole("cell", { name: "+12345.67" });
    await expect(amount).toBeVisible();
    await expect(history.getByRole("cell", { name: note })).toBeVisible();
    // Nothing is cut off or hidden in a sideways scroll, nor is the page wider than the screen.
    const fits = await history.evaluate((t) => t.parentElement!.scrollWidth <= t.parentElement!.clientWidth);
    expect(fits, `history fits at ${width} px`).toBe(true);
    const box = (await amount.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(width);
    const pageFits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(pageFits, `page fits at ${width} px`).toBe(true);

    // The chart: zero-based round ticks in the currency's decimals, and dates.
    const chart = page.getByRole("figure").filter({ has: page.getByRole("img", { name: /CNY balance over the last 30 days/ }) });
    await expect(chart.getByText("15000.00", { exact: true })).toBeVisible();
    await expect(chart.getByText("0.00", { exact: true })).toBeVisible();
    const today = new Date().toISOString().slice(0, 10);
    await expect(chart.getByText(today, { exact: true })).toBeVisible();
    await expect(chart).toContainText("highest 12345.67 CNY");
  }
  // A language switch reaches the chart's texts and the history.
  await page.getByLabel("Language").selectOption("zh-CN");
  await expect(page.getByRole("figure")).toContainText("最高 12345.67 CNY");
  await expect(page.getByRole("table", { name: /交易记录/ }).getByRole("cell", { name: "系统" })).toBeVisible();
  await page.getByLabel("语言").selectOption("en");
});

test("country names come from CLDR in the page's language, rendered by the server", async ({ page }) => {
  const email = `country.names.${unique()}@example.com`;
  createWithCli({ email }, "user");
  await signIn(page, email);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const country = page.getByLabel("Issuing country");
  await expect(country).toHaveValue("CN");
  await expect(country.locator('option[value="CI"]')).toHaveText("Côte d’Ivoire");
  await expect(country.locator('option[value="AX"]')).toHaveText("Åland Islands");
  await expect(country.locator('option[value="VE"]')).toHaveText("Venezuela");

  await page.getByLabel("Language").selectOption("zh-CN");
  const zh = page.getByLabel("签发国家或地区");
  await expect(zh.locator('option[value="CN"]')).toHaveText("中国");
  await expect(zh.locator('option[value="CI"]')).toHaveText("科特迪瓦");
  await expect(zh).toHaveValue("CN");

  // The server renders them in the page's language (the browser asks only after a switch).
  const html = await (await page.request.get("/profile")).text();
  expect(html).toContain("科特迪瓦");
  await page.getByLabel("语言").selectOption("en");
  const en = await (await page.request.get("/profile")).text();
  expect(en).toContain("Côte d’Ivoire");
  expect(en).not.toContain("Coted Ivoire");
});

test("the browser's WASM carries neither the common-password list nor the country table", async ({ page }) => {
  const html = await (await page.request.get("/login")).text();
  const wasm = html.match(/["']([^"']+\.wasm)["']/)?.[1];
  expect(wasm, "the page names its WASM").toBeTruthy();
  const bytes = await (await page.request.get(wasm!)).body();
  expect(bytes.length).toBeGreaterThan(100_000);
  const text = bytes.toString("latin1");
  for (const absent of ["qwertyuiop", "iloveyou", "Coted Ivoire", "Bolivarian Republic Of Venezuela"]) {
    expect(text.includes(absent), absent).toBe(false);
  }
});
