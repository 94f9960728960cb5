import { expect, test } from "@playwright/test";
import {
  codeSentTo,
  createWithCli,
  gotoHydrated,
  lastMessageTo,
  messageCount,
  PASSWORD,
  SAME_ORIGIN,
  signIn,
  signUpInBrowser,
  unique,
} from "./helpers";

test("forgot PIN on /wallet: a code to the email, a new PIN, and the lock is lifted", async ({ page }) => {
  // Made by an operator: no sign-up code was just sent, whose one-a-minute
  // cooldown would hold up the PIN code.
  const email = `forgotpin.${unique()}@example.com`;
  createWithCli({ email }, "user");
  await signIn(page, email);

  // A PIN, then five wrong ones: payments are locked.
  const set = await page.request.post("/api/v1/wallet/pin", {
    data: { pin: "580263", password: PASSWORD },
    headers: SAME_ORIGIN,
  });
  expect(set.status(), await set.text()).toBe(201);
  for (let i = 0; i < 5; i++) {
    await page.request.post("/api/v1/wallet/pin/change", {
      data: { old_pin: "111222", new_pin: "975310" },
      headers: SAME_ORIGIN,
    });
  }
  await gotoHydrated(page, "/wallet");
  await expect(page.getByText(/Payments are locked after too many wrong PINs/)).toBeVisible();

  await page.getByText("Forgot your PIN?").click();
  await expect(page.getByLabel("Send the code to")).toHaveValue(email);
  const before = messageCount(email);
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByRole("status").filter({ hasText: "We sent a code to" })).toBeVisible();
  const code = await codeSentTo(email, before + 1);

  // A wrong code changes nothing.
  await page.getByLabel("Verification code").fill(code === "000000" ? "111111" : "000000");
  await page.getByLabel("Your new 6-digit PIN").fill("246810");
  await page.getByLabel("The same 6 digits again").fill("246810");
  await page.getByRole("button", { name: "Reset PIN" }).click();
  await expect(page.getByText("The code is incorrect or has expired.")).toBeVisible();

  await page.getByLabel("Verification code").fill(code);
  await page.getByRole("button", { name: "Reset PIN" }).click();
  await expect(page.getByText("Payment PIN saved.")).toBeVisible();
  await expect(page.getByText(/Payments are locked/)).toHaveCount(0);

  // The new PIN is the one that works, and the email was told of the change.
  const change = await page.request.post("/api/v1/wallet/pin/change", {
    data: { old_pin: "246810", new_pin: "975310" },
    headers: SAME_ORIGIN,
  });
  expect(change.status(), await change.text()).toBe(204);
  const notice = await lastMessageTo(email, before + 2);
  expect(notice).toContain("payment PIN was changed");
});

test("notification choices on /security: one switched off stays off; security notices are always on", async ({
  page,
}) => {
  const email = `notices.${unique()}@example.com`;
  await signUpInBrowser(page, { email, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);
  await gotoHydrated(page, "/security");

  const optional = page.getByRole("group", { name: "Notices you can switch off" });
  await expect(optional.getByRole("checkbox")).toHaveCount(3);
  const money = optional.getByLabel("Money received");
  await expect(money).toBeChecked();
  await money.uncheck();
  await page.getByLabel("Write my notices in").selectOption("zh-CN");
  await page.getByRole("button", { name: "Save notification settings" }).click();
  await expect(page.getByText("Notification settings saved.")).toBeVisible();

  await page.reload();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(optional.getByLabel("Money received")).not.toBeChecked();
  await expect(optional.getByLabel("Review results of your real-name and qualification submissions")).toBeChecked();
  await expect(optional.getByLabel("Your account was unfrozen")).toBeChecked();
  await expect(page.getByLabel("Write my notices in")).toHaveValue("zh-CN");

  // Security notices: shown ticked, and no way to untick them.
  const security = page.getByRole("group", { name: "Security notices (always on)" });
  await expect(security).toContainText("cannot be switched off");
  const always = security.getByRole("checkbox");
  await expect(always).toHaveCount(5);
  for (const box of await always.all()) {
    await expect(box).toBeChecked();
    await expect(box).toBeDisabled();
  }
  await expect(security.getByLabel("Sign-in from a new device or browser")).toBeChecked();

  // The API sees the same choices.
  const prefs = await (await page.request.get("/api/v1/me/notifications")).json();
  expect(prefs).toEqual({ review_decided: true, account_unfrozen: true, money_received: false, lang: "zh-CN" });

  // And in Chinese.
  await page.getByLabel("Language").selectOption("zh-CN");
  await expect(page.getByRole("group", { name: "可以关闭的通知" }).getByLabel("收到转入资金")).not.toBeChecked();
  await expect(page.getByRole("group", { name: "安全通知（始终开启）" })).toContainText("无法关闭");
  await page.getByLabel("语言").selectOption("en");
});

test("staff lift a payment lock from the user's page in the console", async ({ page, request }) => {
  const email = `paylock.${unique()}@example.com`;
  createWithCli({ email }, "user");
  const login = await request.post("/api/v1/auth/login", { data: { identifier: email, password: PASSWORD } });
  const { token, user } = await login.json();
  const auth = { Authorization: `Bearer ${token}` };
  expect((await request.post("/api/v1/wallet/pin", { data: { pin: "580263", password: PASSWORD }, headers: auth })).status()).toBe(201);
  for (let i = 0; i < 5; i++) {
    await request.post("/api/v1/wallet/pin/change", { data: { old_pin: "111222", new_pin: "975310" }, headers: auth });
  }
  expect((await (await request.get("/api/v1/wallet/pin", { headers: auth })).json()).locked).toBe(true);

  const staff = `unlocker.${unique()}@example.com`;
  createWithCli({ email: staff }, "staff");
  await signIn(page, staff);
  await gotoHydrated(page, `/admin/users/${user.id}`);
  await expect(page.getByText("Payments locked", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Lift payment lock" }).click();
  await expect(page.getByText("Payment lock lifted.")).toBeVisible();
  await expect(page.getByText("Payments locked", { exact: true })).toHaveCount(0);
  const pin = await (await request.get("/api/v1/wallet/pin", { headers: auth })).json();
  expect(pin).toMatchObject({ locked: false, remaining_attempts: 5 });
});
