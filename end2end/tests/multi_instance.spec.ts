import { expect, test } from "@playwright/test";
import { gotoHydrated, PASSWORD, signIn, signUpInBrowser, SITE, unique } from "./helpers";

// Two servers on one PostgreSQL database (scripts/multi-instance starts them,
// sharing one data directory, and sets SECOND_BASE_URL): BASE_URL is server A,
// SECOND_BASE_URL server B. Skipped in the ordinary end-to-end run, which has
// one server.
const SECOND = process.env.SECOND_BASE_URL;

// cache_sync::BOUND: no server accepts a revoked session later than this
// after the revocation committed.
const BOUND_MS = 1000;

test("signing out everywhere else on one server signs out the browser on the other", async ({
  browser,
  playwright,
}) => {
  test.skip(!SECOND, "needs two servers: SECOND_BASE_URL");
  const email = `multi.${unique()}@example.com`;
  const onA = await browser.newContext({ baseURL: SITE });
  const onB = await browser.newContext({ baseURL: SECOND });
  const pageA = await onA.newPage();
  const pageB = await onB.newPage();

  // Signed up (and so signed in) on A; signed in as the same user on B.
  await signUpInBrowser(pageA, { email, password: PASSWORD });
  await expect(pageA).toHaveURL(/\/profile$/);
  await signIn(pageB, email);
  const refreshA = (await onA.cookies()).find((c) => c.name === "uc_refresh")!.value;

  // B's security page lists both sessions: A's came from the shared database.
  await gotoHydrated(pageB, "/security");
  await expect(pageB.getByRole("heading", { name: "Sessions and devices" })).toBeVisible();
  const sessions = pageB.getByRole("list", { name: "Signed-in sessions" }).getByRole("listitem");
  await expect(sessions).toHaveCount(2);
  await expect(pageB.getByText("This device")).toHaveCount(1);

  // A is signed in right now (so its server has the session in its cache).
  await pageA.goto("/profile");
  await expect(pageA.getByRole("heading", { name: "Your profile" })).toBeVisible();

  await pageB.getByRole("button", { name: "Sign out everywhere else" }).click();
  await expect(pageB.getByText("This is your only active session.")).toBeVisible();
  await expect(sessions).toHaveCount(1);
  // The revocation committed before B answered; past the bound, A must know.
  await pageA.waitForTimeout(BOUND_MS);

  // A's next page load finds the browser signed out, and it stays signed out:
  // the page's attempt to restore the session from its refresh cookie fails.
  await pageA.goto("/profile");
  await expect(pageA).toHaveURL(/\/login\?next=/);
  await expect(pageA.locator("body")).toHaveAttribute("data-hydrated", "true");
  await pageA.waitForTimeout(500);
  await expect(pageA).toHaveURL(/\/login/);
  await expect(pageA.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();

  // A's refresh token is dead on either server.
  for (const base of [SITE, SECOND!]) {
    const api = await playwright.request.newContext({ baseURL: base });
    const res = await api.post("/api/v1/auth/refresh", { data: { refresh_token: refreshA } });
    expect(res.status(), `refresh on ${base}`).toBe(401);
    await api.dispose();
  }

  // B is still signed in, on B and, with a new sign-in, A works again.
  await pageB.goto("/profile");
  await expect(pageB.getByRole("heading", { name: "Your profile" })).toBeVisible();
  await signIn(pageA, email);
  await expect(pageA.getByRole("heading", { name: "Your profile" })).toBeVisible();
  await onA.close();
  await onB.close();
});

test("signed in on one server, acting on the other, revoked from the first", async ({ browser }) => {
  test.skip(!SECOND, "needs two servers: SECOND_BASE_URL");
  const email = `multi.act.${unique()}@example.com`;
  // One browser: cookies belong to the host, not the port, so the session
  // signed in on A travels to B as it would to any server behind a proxy.
  const user = await browser.newContext({ baseURL: SITE });
  const page = await user.newPage();
  await signUpInBrowser(page, { email, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);

  // Acting on B: the profile edit is saved there and read back from A.
  await gotoHydrated(page, `${SECOND}/profile`);
  await expect(page.getByRole("heading", { name: "Your profile" })).toBeVisible();
  await page.getByLabel("Display name").fill("Seen On Both");
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByText("Profile saved.")).toBeVisible();
  await gotoHydrated(page, "/profile");
  await expect(page.locator("dl.details")).toContainText("Seen On Both");

  // Revoked from A: the same account, signed in elsewhere on A, signs out
  // every other session.
  const other = await browser.newContext({ baseURL: SITE });
  const admin = await other.newPage();
  await signIn(admin, email);
  await gotoHydrated(admin, "/security");
  await admin.getByRole("button", { name: "Sign out everywhere else" }).click();
  await expect(admin.getByText("This is your only active session.")).toBeVisible();
  await page.waitForTimeout(BOUND_MS);

  // B no longer takes the browser's session.
  await page.goto(`${SECOND}/profile`);
  await expect(page).toHaveURL(/\/login\?next=/);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
  await user.close();
  await other.close();
});

