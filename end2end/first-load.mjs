// Measures a first and a repeat visit the way a browser makes them, for
// ./scripts/bench: Chromium through Playwright, with the Chrome DevTools
// Protocol's network emulation.
//
//   node first-load.mjs http://127.0.0.1:PORT
//
// Prints one JSON object: for each visit the bytes that crossed the network
// (encoded, headers included; files served from the browser's cache count
// nothing) and the time to interactive: from navigation start until a
// hydrated handler answers, i.e. "Sign in" pressed on the empty form shows
// the client-side validation message without asking the server.
//
// Visits: /login first and repeat at "Fast 3G" (1.6 Mbit/s down, 750 kbit/s
// up, 150 ms round trip), /login first unthrottled, and /wallet right after
// signing in on /login (what the wallet adds).
import { chromium } from "@playwright/test";

const base = process.argv[2];
if (!base) {
  console.error("usage: node first-load.mjs BASE_URL");
  process.exit(2);
}
const FAST_3G = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1000 * 1000) / 8,
  uploadThroughput: (750 * 1000) / 8,
};
const UNTHROTTLED = { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
});

/** Opens `path` in a new page of `context` under `network`; resolves with
 * the bytes transferred and the milliseconds until `interactive(page)`. */
async function visit(context, path, network, interactive) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: false });
  await cdp.send("Network.emulateNetworkConditions", network);
  let bytes = 0;
  cdp.on("Network.loadingFinished", (e) => {
    bytes += e.encodedDataLength;
  });
  const started = Date.now();
  await page.goto(base + path, { waitUntil: "commit", timeout: 120_000 });
  await interactive(page);
  const ms = Date.now() - started;
  // Late requests (none expected) still count.
  await page.waitForLoadState("networkidle", { timeout: 30_000 }).catch(() => {});
  await page.close();
  return { bytes, ms };
}

async function loginInteractive(page) {
  await page.locator("body[data-hydrated=true]").waitFor({ timeout: 120_000 });
  await page.getByRole("button", { name: "Sign in" }).click();
  // Only the hydrated form answers this way: without its handler the
  // browser would post the form to the server instead.
  await page.locator("[aria-invalid=true]").first().waitFor({ timeout: 30_000 });
}

async function walletInteractive(page) {
  await page.locator("body[data-hydrated=true]").waitFor({ timeout: 120_000 });
  await page.getByRole("heading", { level: 1 }).first().waitFor({ timeout: 30_000 });
  if (!new URL(page.url()).pathname.startsWith("/wallet")) {
    throw new Error(`/wallet sent the visitor to ${page.url()}`);
  }
}

const result = {};
{
  const context = await browser.newContext();
  result.login_first_fast3g = await visit(context, "/login", FAST_3G, loginInteractive);
  result.login_repeat_fast3g = await visit(context, "/login", FAST_3G, loginInteractive);
  // Sign in (an account of the script's own) and open the wallet, as a
  // visitor who came through /login does.
  const email = `first-load-${Date.now()}@example.com`;
  const password = "first load correct horse";
  const registered = await context.request.post(base + "/api/v1/auth/register", {
    data: { email, password },
  });
  if (!registered.ok()) {
    throw new Error(`register: ${registered.status()} ${await registered.text()}`);
  }
  const page = await context.newPage();
  await page.goto(base + "/login");
  await page.locator("body[data-hydrated=true]").waitFor();
  await page.getByLabel("Email, phone or username").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname !== "/login", { timeout: 30_000 });
  await page.close();
  result.wallet_after_login_fast3g = await visit(context, "/wallet", FAST_3G, walletInteractive);
  await context.close();
}
{
  const context = await browser.newContext();
  result.login_first_unthrottled = await visit(context, "/login", UNTHROTTLED, loginInteractive);
  await context.close();
}
await browser.close();
console.log(JSON.stringify(result));
