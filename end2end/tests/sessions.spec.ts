import { expect, Page, test } from "@playwright/test";
import { gotoHydrated, PASSWORD, SAME_ORIGIN, SITE, signUpInBrowser, unique } from "./helpers";

test("two browsers are listed, and revoking one signs it out", async ({ browser }) => {
  const email = `sess.${unique()}@example.com`;
  const a = await browser.newContext();
  const b = await browser.newContext();
  const pageA = await a.newPage();
  const pageB = await b.newPage();

  await signUpInBrowser(pageA, { email, password: PASSWORD });
  await expect(pageA).toHaveURL(/\/profile$/);

  await gotoHydrated(pageB, "/login");
  await pageB.getByLabel("Email, phone or username").fill(email);
  await pageB.getByLabel("Password").fill(PASSWORD);
  await pageB.getByRole("button", { name: "Sign in" }).click();
  await expect(pageB).toHaveURL(/\/profile$/);

  await pageA.getByRole("link", { name: "Password, contacts and sessions" }).click();
  await expect(pageA.getByRole("heading", { name: "Sessions and devices" })).toBeVisible();
  const sessions = pageA.getByRole("listitem");
  await expect(sessions).toHaveCount(2);
  await expect(pageA.getByText("This device")).toHaveCount(1);

  await pageA.getByRole("button", { name: /^Revoke/ }).click();
  await expect(sessions).toHaveCount(1);
  await expect(pageA.getByText("This is your only active session.")).toBeVisible();

  // B's next action finds it signed out, and its refresh token is dead too.
  await pageB.goto("/profile");
  await expect(pageB).toHaveURL(/\/login\?next=/);
  await expect(pageB.locator("body")).toHaveAttribute("data-hydrated", "true");
  await pageB.waitForTimeout(500);
  await expect(pageB).toHaveURL(/\/login/);

  // A is still signed in.
  await pageA.goto("/profile");
  await expect(pageA.getByRole("heading", { name: "Your profile" })).toBeVisible();
  await a.close();
  await b.close();
});

test("an expired access token is renewed silently from the refresh cookie", async ({ page, context }) => {
  const email = `silent.${unique()}@example.com`;
  await signUpInBrowser(page, { email, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);

  // Drop the access cookie, as if it had expired; keep the refresh cookie.
  const cookies = await context.cookies();
  await context.clearCookies();
  await context.addCookies(cookies.filter((c) => c.name !== "uc_token"));

  await page.goto("/profile");
  // The server sends us to sign in; the page then restores the session itself.
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByRole("heading", { name: "Your profile" })).toBeVisible();
  expect((await context.cookies()).some((c) => c.name === "uc_token")).toBe(true);
});

test("a bound device is listed on the security page and can be removed", async ({ page }) => {
  const email = `dev.${unique()}@example.com`;
  await signUpInBrowser(page, { email, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);
  // An app binds its device with the same session (the cookie carries the token).
  const bound = await page.request.post("/api/v1/devices", {
    data: { device_id: "kiosk-7", name: "Front desk kiosk", os: "Android 14" },
    headers: SAME_ORIGIN,
  });
  expect(bound.status()).toBe(200);

  await gotoHydrated(page, "/security");
  await expect(page.getByText("Front desk kiosk (Android 14)")).toBeVisible();
  await page.getByRole("button", { name: "Remove Front desk kiosk (Android 14)" }).click();
  await expect(page.getByText("No devices are bound.")).toBeVisible();
  const check = await page.request.get("/api/v1/devices/kiosk-7/check");
  expect((await check.json()).bound).toBe(false);
});

/** Calls the page's own refresh server function, as the session keeper does. */
function refreshFrom(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const res = await fetch("/api/auth/refresh", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: "",
    });
    return res.status;
  });
}

test("two tabs refreshing at the same moment both stay signed in", async ({ page, context }) => {
  const email = `race.${unique()}@example.com`;
  await signUpInBrowser(page, { email, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);
  const other = await context.newPage();
  await gotoHydrated(other, "/profile");

  // Both send the same refresh cookie: one wins, the other is told it was
  // superseded (409) and must not clear the winner's cookies.
  const statuses = await Promise.all([refreshFrom(page), refreshFrom(other)]);
  expect(statuses).toContain(200);
  for (const status of statuses) expect([200, 409]).toContain(status);

  for (const tab of [page, other]) {
    await tab.reload();
    await expect(tab).toHaveURL(/\/profile$/);
    await expect(tab.getByRole("heading", { name: "Your profile" })).toBeVisible();
    await expect(tab.getByRole("button", { name: "Log out" })).toBeVisible();
  }
  expect((await context.cookies()).map((c) => c.name)).toEqual(
    expect.arrayContaining(["uc_token", "uc_refresh"]),
  );
});

test("logging out with a lapsed access token still ends the session", async ({ page, context, playwright }) => {
  const email = `lapsed.${unique()}@example.com`;
  await signUpInBrowser(page, { email, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);
  const refresh = (await context.cookies()).find((c) => c.name === "uc_refresh")!.value;

  // The access cookie is gone, as after it expired; only the refresh cookie
  // (sent to /api/auth) is left, and the logout form posts there.
  const cookies = await context.cookies();
  await context.clearCookies();
  await context.addCookies(cookies.filter((c) => c.name !== "uc_token"));
  const out = await page.request.post("/api/auth/logout", {
    headers: { ...SAME_ORIGIN, Accept: "application/json" },
    form: {},
  });
  expect(out.status(), await out.text()).toBeLessThan(400);
  expect((await context.cookies()).some((c) => c.name === "uc_refresh" && c.value !== "")).toBe(false);

  // The session is revoked server-side: its refresh token no longer works.
  const api = await playwright.request.newContext({ baseURL: SITE });
  const res = await api.post("/api/v1/auth/refresh", { data: { refresh_token: refresh } });
  expect(res.status()).toBe(401);
  expect((await res.json()).code).toBe("TOKEN_REVOKED");
  await api.dispose();
});

test("the log out button signs out and ends the session", async ({ page, context, playwright }) => {
  const email = `logout.${unique()}@example.com`;
  await signUpInBrowser(page, { email, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);
  const refresh = (await context.cookies()).find((c) => c.name === "uc_refresh")!.value;
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
  const api = await playwright.request.newContext({ baseURL: SITE });
  const res = await api.post("/api/v1/auth/refresh", { data: { refresh_token: refresh } });
  expect(res.status()).toBe(401);
  await api.dispose();
});
