import { APIRequestContext, expect, Locator, Page } from "@playwright/test";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** Opens a page and waits until the WASM has hydrated it. */
export async function gotoHydrated(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** A unique suffix so runs never collide with earlier accounts. */
export function unique(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** A fresh mainland mobile number: 139 followed by 8 random digits. */
export function uniquePhone(): string {
  return "139" + String(Math.floor(Math.random() * 1e8)).padStart(8, "0");
}

export const PASSWORD = "Tr1cky-Horse-Battery";

/** The site under test. */
export const SITE = process.env.BASE_URL ?? "http://127.0.0.1:3000";

/**
 * Headers of a request the site's own pages would send. An API call made with
 * a signed-in browser's cookies must name the site as its origin, or the
 * server refuses it as cross-origin (`CSRF_REJECTED`).
 */
export const SAME_ORIGIN = { Origin: SITE };

/** Where the server under test writes emails, SMS and (dev only) captcha answers. */
export function outbox(): string {
  const dir = process.env.UC_DATA_DIR;
  if (!dir) throw new Error("UC_DATA_DIR must point at the server's data directory");
  return path.join(dir, "outbox");
}

/** The answer of a captcha, from the dev outbox (UC_CAPTCHA_TO_OUTBOX). */
export function captchaAnswer(key: string): string {
  return fs.readFileSync(path.join(outbox(), "captcha", `${key}.txt`), "utf8");
}

function messagesTo(to: string): string[] {
  const files: string[] = [];
  for (const kind of ["email", "sms"]) {
    const dir = path.join(outbox(), kind);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) {
      if (f.endsWith(".eml") || f.endsWith(".json")) files.push(path.join(dir, f));
    }
  }
  files.sort((a, b) => path.basename(a).localeCompare(path.basename(b)));
  return files
    .map((f) => fs.readFileSync(f, "utf8"))
    .filter((text) => text.includes(`To: ${to}`) || text.includes(`"to": "${to}"`));
}

/** How many messages were sent to an address or number. */
export function messageCount(to: string): number {
  return messagesTo(to).length;
}

/** The newest message to `to`, waiting for the (possibly background) delivery. */
export async function lastMessageTo(to: string, atLeast = 1): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const all = messagesTo(to);
    if (all.length >= atLeast) return all[all.length - 1];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no message to ${to}`);
}

/** The code in a message: six digits in its subject, or in an SMS's text. */
function codeIn(text: string): string | undefined {
  const line = text.split("\n").find((l) => l.startsWith("Subject:") || l.includes('"text"')) ?? text;
  return line.match(/(?<!\d)\d{6}(?!\d)/)?.[0];
}

/**
 * The code in the newest message to `to` that carries one, among the messages
 * from the `atLeast`-th on, waiting for the (possibly background) delivery.
 * Notices to the same contact (a PIN set, a new sign-in) carry no code and
 * are passed over.
 */
export async function codeSentTo(to: string, atLeast = 1): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const code = messagesTo(to)
      .slice(Math.max(atLeast - 1, 0))
      .reverse()
      .map(codeIn)
      .find((c) => c !== undefined);
    if (code) return code;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no code to ${to}`);
}

/** Fills the captcha answer inside `scope` from the dev outbox. */
export async function solveCaptcha(scope: Page | Locator) {
  const key = scope.locator('input[name="captcha_key"]');
  await expect(key).toHaveCount(1);
  const answer = captchaAnswer(await key.inputValue());
  await scope.getByLabel("Characters in the image").fill(answer);
}

/** Requests a code over the API, solving the captcha as a script can in dev. */
export async function requestCode(
  request: APIRequestContext,
  contact: string,
  purpose: string,
  headers: Record<string, string> = {},
) {
  const captcha = await (await request.get("/api/v1/captcha")).json();
  const res = await request.post("/api/v1/codes/send", {
    data: { contact, purpose, captcha_key: captcha.key, captcha_answer: captchaAnswer(captcha.key) },
    headers: { ...SAME_ORIGIN, ...headers },
  });
  expect(res.status(), await res.text()).toBe(200);
}

/** Registers over the API the way a client must: captcha, code, then sign-up. */
export async function registerViaApi(
  request: APIRequestContext,
  account: { email?: string; phone?: string; username?: string; password: string },
) {
  const contact = account.email ?? account.phone!;
  const before = messageCount(contact.toLowerCase());
  await requestCode(request, contact, "register");
  const code = await codeSentTo(contact.toLowerCase(), before + 1);
  return request.post("/api/v1/auth/register", { data: { ...account, code }, headers: SAME_ORIGIN });
}

/** Fills and submits the sign-up form, with the code from the outbox. */
export async function signUpInBrowser(
  page: Page,
  account: { email?: string; phone?: string; username?: string; password: string },
) {
  await gotoHydrated(page, "/signup");
  if (account.email) await page.getByLabel("Email").fill(account.email);
  if (account.phone) await page.getByLabel("Phone number").fill(account.phone);
  if (account.username) await page.getByLabel("Username").fill(account.username);
  await page.getByLabel("Password").fill(account.password);
  await solveCaptcha(page);
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByRole("status").filter({ hasText: "We sent a code" })).toBeVisible();
  const to = account.email ? account.email.toLowerCase() : account.phone!.replace(/^\+86\s*/, "").replace(/\s/g, "");
  await page.getByLabel("Verification code").fill(await codeSentTo(to));
  await page.getByRole("button", { name: "Sign up" }).click();
}

/**
 * The server binary under test, for its operator CLI: `UC_SERVER_BIN` (the
 * release build `./scripts/test` runs the suite against), else the debug
 * build `cargo leptos end-to-end` makes.
 */
export function serverBinary(): string {
  if (process.env.UC_SERVER_BIN) return process.env.UC_SERVER_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? path.join(__dirname, "..", "..", "target");
  return path.join(target, "debug", "server");
}

/** An account made with the operator's CLI (its contacts are live at once, no codes sent). */
export function createWithCli(account: { email: string; phone?: string }, role: "super_admin" | "staff" | "user") {
  const args = ["admin", "create", "--email", account.email, "--role", role, "--password-stdin"];
  if (account.phone) args.push("--phone", account.phone);
  execFileSync(serverBinary(), args, { input: `${PASSWORD}\n`, env: process.env });
}

/** A staff account made with the CLI, as an operator would (there is no default admin). */
export function createStaff(email: string) {
  createWithCli({ email }, "super_admin");
}

/** Signs in on /login with the tests' password and lands on /profile. */
export async function signIn(page: Page, identifier: string) {
  await gotoHydrated(page, "/login");
  await page.getByLabel("Email, phone or username").fill(identifier);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/profile$/);
}

/**
 * A valid mainland resident ID number (GB 11643) no other test uses: one ID
 * number verifies one account, and the tests share a database.
 */
export function uniqueIdNumber(female = true): string {
  const day = new Date(Date.UTC(1950, 0, 1) + Math.floor(Math.random() * 18_000) * 86_400_000);
  const birth = day.toISOString().slice(0, 10).replaceAll("-", "");
  let seq = Math.floor(Math.random() * 500) * 2; // even: female
  if (!female) seq += 1;
  const body = `110105${birth}${String(seq).padStart(3, "0")}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return body + "10X98765432"[sum % 11];
}

/** How the product masks an ID number: the first and last four characters. */
export function masked(id: string): string {
  return `${id.slice(0, 4)}${"*".repeat(id.length - 8)}${id.slice(-4)}`;
}
