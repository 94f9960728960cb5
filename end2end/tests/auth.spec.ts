import { expect, test } from "@playwright/test";
import {
  createWithCli,
  gotoHydrated,
  lastMessageTo,
  messageCount,
  PASSWORD,
  registerViaApi,
  signUpInBrowser,
  solveCaptcha,
  unique,
  uniquePhone,
} from "./helpers";

test("sign up, see profile, log out, and sign back in by phone", async ({ page }) => {
  const phone = uniquePhone();

  await signUpInBrowser(page, { phone: `+86 ${phone}`, password: PASSWORD });

  await expect(page).toHaveURL(/\/profile$/);
  // The code proved the phone.
  await expect(page.getByText("Verified", { exact: true })).toHaveCount(1);
  await expect(page.getByRole("heading", { name: "Your profile" })).toBeVisible();
  // Stored normalised: without +86.
  await expect(page.getByText(phone, { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();

  await page.goto("/profile");
  await expect(page).toHaveURL(/\/login\?next=(%2F|\/)profile/);

  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Email, phone or username").fill(phone);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByText(phone, { exact: true })).toBeVisible();
});

test("signing up with a taken email tells its owner, not the visitor", async ({ page }) => {
  const email = `dup.${unique()}@example.com`;
  createWithCli({ email }, "user");
  const before = messageCount(email);

  // The answer is the one a free address gets; the owner gets a notice, no code.
  await gotoHydrated(page, "/signup");
  await page.getByLabel("Email").fill(email.toUpperCase());
  await page.getByLabel("Password").fill(PASSWORD);
  await solveCaptcha(page);
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByRole("status").filter({ hasText: "We sent a code" })).toBeVisible();
  await expect(page.getByText("This email is already registered.")).toHaveCount(0);
  const notice = await lastMessageTo(email, before + 1);
  const subject = notice.split("\n").find((l) => l.startsWith("Subject:")) ?? "";
  expect(subject).toContain("someone tried to create an account");
  expect(subject).not.toMatch(/\d{6}/);
  // A guessed code gets nowhere and still names nothing.
  await page.getByLabel("Verification code").fill("123456");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByText("The code is incorrect or has expired")).toBeVisible();
  await expect(page.getByText("This email is already registered.")).toHaveCount(0);
  await expect(page).toHaveURL(/\/signup/);
});

test("a wrong password shows an error and stays signed out", async ({ page }) => {
  const email = `wrong.${unique()}@example.com`;
  expect((await registerViaApi(page.request, { email, password: PASSWORD })).status()).toBe(201);
  await page.context().clearCookies();

  await gotoHydrated(page, "/login");
  await page.getByLabel("Email, phone or username").fill(email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  const message = "Incorrect account or password. Attempts left before a temporary lock: 4.";
  await expect(page.getByRole("alert")).toHaveText(message);
  await expect(page).toHaveURL(/\/login/);

  // An unknown account gets exactly the same message.
  await page.getByLabel("Email, phone or username").fill(`nobody.${unique()}@example.com`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText(message);
});

test("field errors from the shared rules show while typing", async ({ page }) => {
  await gotoHydrated(page, "/signup");
  const emailField = page.getByLabel("Email");
  await emailField.fill("not-an-email");
  await emailField.blur();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await emailField.fill("fine@example.com");
  await expect(page.getByText("Enter a valid email address")).toHaveCount(0);

  await page.getByLabel("Password").fill("1234567");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByText("Password must be at least 8 characters.")).toBeVisible();
  await page.getByLabel("Password").fill("password");
  // The common-password list stays on the server: it answers on submit.
  await expect(page.getByText("Password must be at least 8 characters.")).toHaveCount(0);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByText("This password is too common.")).toBeVisible();
  await expect(page).toHaveURL(/\/signup/);
});

test("the language can be switched to Chinese and is remembered", async ({ page }) => {
  await gotoHydrated(page, "/login");
  await page.getByLabel("Language").selectOption("zh-CN");
  await expect(page.getByRole("heading", { name: "登录" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await page.reload();
  await expect(page.getByRole("heading", { name: "登录" })).toBeVisible();
  await expect(page.getByLabel("邮箱、手机号或用户名")).toBeVisible();
});

test("Accept-Language picks Chinese on first visit", async ({ browser }) => {
  const context = await browser.newContext({ locale: "zh-CN", extraHTTPHeaders: { "Accept-Language": "zh-CN,zh;q=0.9" } });
  const page = await context.newPage();
  await page.goto("/signup");
  await expect(page.getByRole("heading", { name: "创建账户" })).toBeVisible();
  await context.close();
});

test("after three failures a captcha is needed, and five lock the account", async ({ page }) => {
  const email = `lock.${unique()}@example.com`;
  expect((await registerViaApi(page.request, { email, password: PASSWORD })).status()).toBe(201);
  await page.context().clearCookies();

  await gotoHydrated(page, "/login");
  await page.getByLabel("Email, phone or username").fill(email);
  for (const left of [4, 3, 2]) {
    await page.getByLabel("Password").fill(`wrong-password-${left}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toHaveText(
      `Incorrect account or password. Attempts left before a temporary lock: ${left}.`,
    );
  }
  // The third failure brings up the captcha; a wrong answer is refused
  // without counting as a password attempt.
  await expect(page.getByRole("img", { name: "Captcha image" })).toBeVisible();
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Characters in the image").fill("WRONG");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("The characters did not match. Try the new image.")).toBeVisible();
  await expect(page).toHaveURL(/\/login/);

  await page.getByLabel("Password").fill("wrong-password-1");
  await solveCaptcha(page);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText(
    "Incorrect account or password. Attempts left before a temporary lock: 1.",
  );
  await page.getByLabel("Password").fill("wrong-password-0");
  await solveCaptcha(page);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("temporarily locked. Try again in 15 min.");

  // Even the right password is refused while locked.
  await page.getByLabel("Password").fill(PASSWORD);
  await solveCaptcha(page);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("temporarily locked");
  await expect(page).toHaveURL(/\/login/);
});
