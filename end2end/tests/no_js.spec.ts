import { expect, test } from "@playwright/test";
import { codeSentTo, PASSWORD, requestCode, unique } from "./helpers";

// Forms must work before the WASM arrives: here it never does.
test.use({ javaScriptEnabled: false });

test("sign up and sign in work without JavaScript", async ({ page }) => {
  const email = `nojs.${unique()}@example.com`;
  // The "Send code" button needs JavaScript; the code itself may come from
  // anywhere (here the API), and the form must still work without scripts.
  await requestCode(page.request, email, "register");
  await page.goto("/signup");
  await expect(page.getByRole("img", { name: "Captcha image" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Verification code").fill(await codeSentTo(email));
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByText(email)).toBeVisible();

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login/);

  await page.getByLabel("Email, phone or username").fill(email);
  await page.getByLabel("Password").fill("wrong password here");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText(
    "Incorrect account or password. Attempts left before a temporary lock: 4.",
  );

  await page.getByLabel("Email, phone or username").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByText(email)).toBeVisible();
});
