import { APIRequestContext, BrowserContext, expect, Page, test } from "@playwright/test";
import * as http from "http";
import { AddressInfo } from "net";
import { createStaff, gotoHydrated, PASSWORD, registerViaApi, signIn, signUpInBrowser, SITE, unique } from "./helpers";

const BASE = SITE;

async function apiLogin(request: APIRequestContext, identifier: string): Promise<string> {
  const res = await request.post("/api/v1/auth/login", { data: { identifier, password: PASSWORD } });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()).token;
}

/**
 * The attacker's site: another port of the same host, so the same *site* as
 * the product (SameSite=Lax cookies travel with its form posts). Each page
 * is a form that posts itself to the product as soon as it loads.
 */
class AttackerSite {
  private forms = new Map<string, { action: string; fields: Record<string, string> }>();
  private server = http.createServer((req, res) => {
    const form = this.forms.get(req.url ?? "");
    if (!form) {
      res.writeHead(404).end();
      return;
    }
    const inputs = Object.entries(form.fields)
      .map(([k, v]) => `<input type="hidden" name="${k}" value="${v}">`)
      .join("");
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end(
      `<!doctype html><title>Win a prize</title>` +
        `<form method="post" action="${BASE}${form.action}">${inputs}</form>` +
        `<script>document.forms[0].submit()</script>`,
    );
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
  }

  stop() {
    this.server.close();
  }

  /** Lures the victim's page to a form aimed at `action`; returns the product's answer. */
  async lure(page: Page, action: string, fields: Record<string, string>) {
    const name = `/${unique()}`;
    this.forms.set(name, { action, fields });
    const port = (this.server.address() as AddressInfo).port;
    const answer = page.waitForResponse((r) => r.url() === `${BASE}${action}` && r.request().method() === "POST");
    await page.goto(`http://127.0.0.1:${port}${name}`);
    const res = await answer;
    return { status: res.status(), body: await res.text() };
  }
}

function expectRefused(answer: { status: number; body: string }) {
  expect(answer.status, answer.body).toBe(403);
  expect(JSON.parse(answer.body).code).toBe("CSRF_REJECTED");
}

async function balance(request: APIRequestContext, token: string, currency = "CNY"): Promise<string> {
  const res = await request.get("/api/v1/wallet/balances", { headers: { Authorization: `Bearer ${token}` } });
  expect(res.status()).toBe(200);
  const all: { currency: string; available: string }[] = await res.json();
  return all.find((b) => b.currency === currency)!.available;
}

async function sessionCookie(context: BrowserContext) {
  return (await context.cookies()).find((c) => c.name.endsWith("uc_token"));
}

test.describe("a page on another port of the same host", () => {
  const attacker = new AttackerSite();
  test.beforeAll(async () => attacker.start());
  test.afterAll(() => attacker.stop());

  test("cannot sign the victim's browser into the attacker's account", async ({ page, request }) => {
    const evil = `evil.${unique()}@example.com`;
    expect((await registerViaApi(request, { email: evil, password: PASSWORD })).status()).toBe(201);
    // The product's own form signs in fine from this browser ...
    const answer = await attacker.lure(page, "/api/fn/login", { identifier: evil, password: PASSWORD });
    expectRefused(answer);
    // ... but the forged one left no session behind.
    expect(await sessionCookie(page.context())).toBeUndefined();
    await page.goto("/profile");
    await expect(page).toHaveURL(/\/login/);
  });

  test("cannot set the PIN, transfer or end the victim's other sessions", async ({ page, browser, request }) => {
    const victim = `victim.${unique()}@example.com`;
    const evilName = `evil_${unique()}`;
    const evilReg = await registerViaApi(request, { username: evilName, email: `${evilName}@example.com`, password: PASSWORD });
    expect(evilReg.status()).toBe(201);
    await signUpInBrowser(page, { email: victim, password: PASSWORD });
    await expect(page).toHaveURL(/\/profile$/);
    const victimId = Number(await page.getByTestId("user-id").innerText());
    // The victim also uses an app: a second session, with a Bearer token.
    const appToken = await apiLogin(request, victim);

    // Set the first PIN.
    expectRefused(await attacker.lure(page, "/api/fn/set_pin", { pin: "135790", confirm_pin: "135790" }));
    const status = await request.get("/api/v1/wallet/pin", { headers: { Authorization: `Bearer ${appToken}` } });
    expect((await status.json()).set).toBe(false);

    // Funds and a PIN the attacker somehow learned: only the origin stops the transfer.
    const staff = `ops.${unique()}@example.com`;
    createStaff(staff);
    const staffToken = await apiLogin(request, staff);
    const deposit = await request.post("/api/v1/admin/wallet/deposit", {
      headers: { Authorization: `Bearer ${staffToken}` },
      data: { user_id: victimId, currency: "CNY", amount: "100", request_id: `dep-${unique()}` },
    });
    expect(deposit.status(), await deposit.text()).toBe(201);
    const pin = await request.post("/api/v1/wallet/pin", {
      headers: { Authorization: `Bearer ${appToken}` },
      data: { pin: "135790", password: PASSWORD },
    });
    expect(pin.status(), await pin.text()).toBe(201);
    expectRefused(
      await attacker.lure(page, "/api/fn/transfer", {
        to: evilName,
        currency: "CNY",
        amount: "100",
        request_id: `steal-${unique()}`,
        pin: "135790",
      }),
    );
    expect(await balance(request, appToken)).toBe("100.00");

    // A cookie-authenticated REST call is guarded the same way.
    expectRefused(await attacker.lure(page, "/api/v1/sessions/revoke-others", {}));
    const check = await request.post("/api/v1/auth/check", { headers: { Authorization: `Bearer ${appToken}` } });
    expect(check.status()).toBe(200);

    // And the victim's own pages still work in this browser.
    await gotoHydrated(page, "/wallet");
    await expect(page.locator('dl[data-currency="CNY"]')).toContainText("100.00");
  });

  test("cannot make a staff member adjust a balance", async ({ page, request }) => {
    const evil = `evil.${unique()}@example.com`;
    const reg = await registerViaApi(request, { email: evil, password: PASSWORD });
    expect(reg.status()).toBe(201);
    const { token, user } = await reg.json();
    const staff = `ops.${unique()}@example.com`;
    createStaff(staff);
    await signIn(page, staff);
    expectRefused(
      await attacker.lure(page, "/api/fn/admin_adjust_balance", {
        user_id: String(user.id),
        direction: "deposit",
        currency: "CNY",
        amount: "1000",
        reason: "prize",
        request_id: `forged-${unique()}`,
      }),
    );
    expect(await balance(request, token)).toBe("0.00");
  });
});

/** Collects Content-Security-Policy violations from every page of a context. */
async function watchCsp(context: BrowserContext): Promise<string[]> {
  const violations: string[] = [];
  await context.exposeFunction("__cspViolation", (v: string) => violations.push(v));
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      // @ts-expect-error exposed above
      window.__cspViolation(`${location.pathname}: ${e.violatedDirective} blocked ${e.blockedURI}`),
    );
  });
  context.on("console", (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
  });
  return violations;
}

test("every page hydrates under the CSP without a violation", async ({ browser, request }) => {
  const context = await browser.newContext();
  const violations = await watchCsp(context);
  const page = await context.newPage();
  for (const p of ["/", "/login", "/signup", "/forgot", "/activate"]) {
    await gotoHydrated(page, p);
  }
  const staff = `ops.${unique()}@example.com`;
  createStaff(staff);
  await signIn(page, staff);
  const other = await registerViaApi(request, { email: `seen.${unique()}@example.com`, password: PASSWORD });
  const otherId = (await other.json()).user.id;
  for (const p of ["/profile", "/security", "/wallet", "/admin", `/admin/users/${otherId}`, "/admin/reviews", "/admin/audit", "/admin/batch", "/admin/open", "/admin/currencies"]) {
    await gotoHydrated(page, p);
  }
  // A page that does not exist still hydrates (the 404 page).
  await gotoHydrated(page, `/no-such-page-${unique()}`);
  // The API reference page runs its script under its own nonce.
  await page.goto("/api/v1/docs");
  await expect(page.locator("#main details").first()).toBeVisible();
  expect(violations).toEqual([]);
  await context.close();
});

test("pages carry the security headers; signed-in pages are not stored", async ({ page }) => {
  const res = await page.goto("/login");
  const h = res!.headers();
  expect(h["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]{22}' 'wasm-unsafe-eval'/);
  expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(h["x-frame-options"]).toBe("DENY");
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["referrer-policy"]).toBe("same-origin");
  // A fresh nonce on every response.
  const again = (await page.goto("/login"))!.headers()["content-security-policy"];
  expect(again).not.toBe(h["content-security-policy"]);

  await signUpInBrowser(page, { email: `hdr.${unique()}@example.com`, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);
  const signedIn = (await page.goto("/profile"))!.headers();
  expect(signedIn["cache-control"]).toBe("no-store");
});
