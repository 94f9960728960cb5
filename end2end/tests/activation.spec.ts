import { expect, test } from "@playwright/test";
import { codeSentTo, createStaff, gotoHydrated, lastMessageTo, PASSWORD, signIn, solveCaptcha, unique } from "./helpers";

/** The `/activate?contact=…` path of the link in a message (the .eml is quoted-printable). */
function activationPath(message: string): string {
  const text = message.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
  const link = text.match(/\/activate\?contact=[^\s"]+/);
  if (!link) throw new Error(`no activation link in: ${text}`);
  return link[0];
}

test("staff open an account in the console, its owner activates it from the message and signs in", async ({
  page,
  browser,
}) => {
  const staff = `opener.${unique()}@example.com`;
  createStaff(staff);
  await signIn(page, staff);
  await gotoHydrated(page, "/admin/open");
  await expect(page.getByRole("heading", { name: "Open an account" })).toBeVisible();

  const owner = `owner.${unique()}@example.com`;
  await page.getByLabel("Email").fill(owner);
  await page.getByLabel("Display name").fill("New Owner");
  await page.getByRole("button", { name: "Open account" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Account opened" })).toContainText(
    "The activation code was sent to o***@example.com",
  );

  // The console finds it by its exact email and shows its state.
  await gotoHydrated(page, "/admin");
  await page.getByLabel("Search users").fill(owner.toUpperCase());
  await page.getByRole("button", { name: "Search" }).click();
  const row = page.getByRole("row").filter({ hasText: owner });
  await expect(row).toContainText("Exact match");
  await expect(row).toContainText("Pre-opened");
  await row.getByRole("link", { name: "New Owner" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("New Owner");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByRole("button", { name: "Send activation code" })).toBeVisible();
  // It can receive money before it is activated.
  await page.getByLabel("Currency").selectOption("CNY");
  await page.getByLabel("Amount").fill("25");
  await page.getByLabel("Reason", { exact: true }).fill("Welcome credit");
  await page.getByRole("button", { name: "Apply adjustment" }).click();
  await expect(page.getByText(/Done: 25\.00 CNY/)).toBeVisible();

  // The owner, in a browser of their own: the message has the code and a link.
  const ctx = await browser.newContext();
  const person = await ctx.newPage();
  const message = await lastMessageTo(owner);
  const code = await codeSentTo(owner);
  const signInBefore = await ctx.request.post("/api/v1/auth/login", {
    data: { identifier: owner, password: PASSWORD },
  });
  expect(signInBefore.status()).toBe(401);

  await gotoHydrated(person, activationPath(message));
  await expect(person.getByRole("heading", { name: "Activate your account" })).toBeVisible();
  await expect(person.getByLabel("Email or phone number")).toHaveValue(owner);
  await person.getByLabel("Verification code").fill(code === "000000" ? "000001" : "000000");
  await person.getByLabel("New password").fill(PASSWORD);
  await person.getByLabel("Payment PIN").fill("024681");
  await person.getByRole("button", { name: "Activate account" }).click();
  await expect(person.getByText("The code is incorrect or has expired")).toBeVisible();
  await person.getByLabel("Verification code").fill(code);
  await person.getByRole("button", { name: "Activate account" }).click();
  await expect(person.getByRole("status").filter({ hasText: "Your account is active" })).toBeVisible();

  await signIn(person, owner);
  await gotoHydrated(person, "/wallet");
  await expect(person.getByText("25.00").first()).toBeVisible();
});

test("sign-up takes the optional real name and ID document, checked as on the profile", async ({ page }) => {
  const email = `named.${unique()}@example.com`;
  await gotoHydrated(page, "/signup");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByText("Real name and ID document").click();
  await page.getByLabel("Real name").fill("王芳");
  await page.getByLabel("Gender").selectOption("male");
  await page.getByLabel("ID document number").fill("11010519491231002X");
  await solveCaptcha(page);
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByRole("status").filter({ hasText: "We sent a code" })).toBeVisible();
  await page.getByLabel("Verification code").fill(await codeSentTo(email));
  await page.getByRole("button", { name: "Sign up" }).click();
  // The number is a woman's: refused, and nothing was created.
  await expect(page.getByText("The gender does not match the one encoded in the ID number")).toBeVisible();
  await page.getByLabel("Gender").selectOption("female");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByText("王芳").first()).toBeVisible();
  await expect(page.getByText("1101**********002X").first()).toBeVisible();
});
