import { test } from "@playwright/test";
import { createStaff, gotoHydrated, PASSWORD, registerViaApi, signUpInBrowser, solveCaptcha, unique, uniquePhone } from "./helpers";

// Opt-in (SCREENSHOTS=1): pictures of each page at desktop and phone width,
// for a human to look at. Not part of the regular run.
test.skip(!process.env.SCREENSHOTS, "set SCREENSHOTS=1 to take screenshots");

for (const [label, viewport] of [
  ["desktop", { width: 1280, height: 800 }],
  ["phone", { width: 390, height: 844 }],
] as const) {
  test(`screenshots at ${label} width`, async ({ page }) => {
    // Many pages, two languages and a funded wallet: more than the default 30 s.
    test.setTimeout(120_000);
    await page.setViewportSize(viewport);
    const shot = (name: string) => page.screenshot({ path: `screenshots/${label}-${name}.png`, fullPage: true });
    await gotoHydrated(page, "/");
    await shot("home");
    await gotoHydrated(page, "/signup");
    await shot("signup");
    await page.getByLabel("Email").fill("bad-email");
    await page.getByLabel("Password").fill("123");
    await page.getByRole("button", { name: "Sign up" }).click();
    await shot("signup-errors");
    await gotoHydrated(page, "/login");
    await page.getByLabel("Email, phone or username").fill("nobody@example.com");
    await page.getByLabel("Password").fill("wrong-password-1");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").waitFor();
    await shot("login-error");
    await page.getByRole("tab", { name: "With a code" }).click();
    await page.getByRole("img", { name: "Captcha image" }).waitFor();
    await shot("login-code");
    await gotoHydrated(page, "/forgot");
    await page.getByLabel("Email or phone number").fill(uniquePhone());
    await solveCaptcha(page);
    await page.getByRole("button", { name: "Send code" }).click();
    await page.getByRole("status").filter({ hasText: "We sent a code" }).waitFor();
    await shot("forgot-sent");
    // With a phone next to the email: the email is proven, the phone pending.
    await signUpInBrowser(page, {
      email: `shot.${unique()}@example.com`,
      phone: uniquePhone(),
      username: `shot_${unique()}`,
      password: PASSWORD,
    });
    await page.getByRole("heading", { name: "Your profile" }).waitFor();
    await shot("profile");
    await page.getByLabel("Language").selectOption("zh-CN");
    await page.getByRole("heading", { name: "个人资料" }).waitFor();
    await shot("profile-zh");
    await page.getByRole("button", { name: "我同意" }).click();
    await page.getByTestId("consent-state").waitFor();
    await shot("profile-zh-consent-given");
    await page.getByLabel("语言").selectOption("en");
    // A second browser signs in too, so the security page lists two sessions.
    const email = await page.getByText(/^shot\..*@example\.com$/).first().innerText();
    const other = await page.context().browser()!.newContext({ userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1" });
    await other.request.post("/api/v1/auth/login", { data: { identifier: email, password: PASSWORD } });
    await other.close();
    await gotoHydrated(page, "/security");
    await shot("security");
    await page.getByRole("button", { name: "Verify phone number" }).click();
    await page.getByRole("img", { name: "Captcha image" }).waitFor();
    await shot("security-verify-phone");
    // Money in, with a long note, so the chart and the history have something to show.
    const userId = Number(await (async () => {
      await gotoHydrated(page, "/profile");
      return page.getByTestId("user-id").innerText();
    })());
    const ops = `shotops.${unique()}@example.com`;
    createStaff(ops);
    const login = await page.context().browser()!.newContext();
    const token = (await (await login.request.post("/api/v1/auth/login", { data: { identifier: ops, password: PASSWORD } })).json()).token;
    for (const [amount, memo] of [["1250.00", "Opening balance"], ["86.40", "Refund for order 2024-118 (the blue umbrella), returned in full"]]) {
      await login.request.post("/api/v1/admin/wallet/deposit", {
        headers: { Authorization: `Bearer ${token}` },
        data: { user_id: userId, currency: "CNY", amount, memo, request_id: `shot-${unique()}` },
      });
    }
    await login.close();
    await gotoHydrated(page, "/wallet");
    await shot("wallet");
    await page.getByRole("button", { name: "Set PIN" }).click();
    await page.getByText("Enter a 6-digit PIN").or(page.getByRole("alert")).first().waitFor();
    await shot("wallet-pin-errors");
    await page.getByLabel("Language").selectOption("zh-CN");
    await page.waitForTimeout(500);
    await shot("wallet-zh");
    await gotoHydrated(page, "/security");
    await shot("security-zh");
    await gotoHydrated(page, "/profile");
    await page.getByRole("heading", { name: "个人资料" }).waitFor();
    await shot("profile-zh-after");
    await page.getByLabel("语言").selectOption("en");
  });
}

for (const [label, viewport] of [
  ["desktop", { width: 1280, height: 800 }],
  ["phone", { width: 390, height: 844 }],
] as const) {
  test(`staff console screenshots at ${label} width`, async ({ page, browser }) => {
    await page.setViewportSize(viewport);
    const shot = (name: string) => page.screenshot({ path: `screenshots/${label}-${name}.png`, fullPage: true });
    const name = `shot_${unique()}`;
    const ctx = await browser.newContext();
    const reg = await registerViaApi(ctx.request, { email: `${name}@example.com`, username: name, password: PASSWORD });
    const { token, user } = await reg.json();
    await ctx.request.post("/api/v1/me/verification", {
      headers: { Authorization: `Bearer ${token}` },
      data: { real_name: "张伟", id_number: "11010519491231002X", consent_version: 1 },
    });
    await ctx.close();
    const staff = `shotops.${unique()}@example.com`;
    createStaff(staff);
    await gotoHydrated(page, "/login");
    await page.getByLabel("Email, phone or username").fill(staff);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/profile$/);
    await gotoHydrated(page, "/admin");
    await shot("admin-users");
    await gotoHydrated(page, `/admin/users/${user.id}`);
    await page.getByLabel("Reason for seeing the full ID number").fill("Support ticket 4711");
    await page.getByRole("button", { name: "Reveal ID number" }).click();
    await page.getByTestId("revealed-id-number").waitFor();
    await shot("admin-user");
    await gotoHydrated(page, "/admin/reviews");
    await shot("admin-reviews");
    await gotoHydrated(page, "/admin/audit");
    await shot("admin-audit");
    await gotoHydrated(page, "/admin/batch");
    await page.getByLabel("Users (CSV)").fill("email,name\nnot-an-email,Bad\n");
    await page.getByRole("button", { name: "Create users" }).click();
    await page.getByRole("alert").waitFor();
    await shot("admin-batch-errors");
    await gotoHydrated(page, "/admin/currencies?edit=POINTS");
    await shot("admin-currencies");
  });
}
