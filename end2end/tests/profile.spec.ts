import { expect, test } from "@playwright/test";
import { createStaff, gotoHydrated, masked, PASSWORD, SAME_ORIGIN, signUpInBrowser, unique, uniqueIdNumber } from "./helpers";

test("edit the profile, verify the real name, and have staff approve it", async ({ page }) => {
  await signUpInBrowser(page, { email: `prof.${unique()}@example.com`, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const userId = await page.getByTestId("user-id").innerText();

  await page.getByLabel("Display name").fill("Zhang Wei");
  await page.getByLabel("Gender").selectOption("female");
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByText("Profile saved.")).toBeVisible();
  await expect(page.locator("dl.details")).toContainText("Zhang Wei");

  // The separate consent comes first.
  await expect(page.getByLabel("Resident ID number")).toHaveCount(0);
  await page.getByRole("button", { name: "I agree" }).click();
  await expect(page.getByTestId("consent-state")).toContainText("You agreed to version 1");

  // A corrupted check character is refused with a specific message.
  const idNumber = uniqueIdNumber(true);
  const corrupted = idNumber.slice(0, 17) + (idNumber[17] === "1" ? "2" : "1");
  await page.getByLabel("Real name").fill("张伟");
  await page.getByLabel("Resident ID number").fill(corrupted);
  await page.getByRole("button", { name: "Submit for review" }).click();
  await expect(page.getByText("Enter a valid ID number")).toBeVisible();
  await page.getByLabel("Resident ID number").fill(idNumber.toLowerCase());
  await page.getByRole("button", { name: "Submit for review" }).click();
  await expect(page.locator("dl.details")).toContainText("Under review");
  await expect(page.getByRole("button", { name: "Submit for review" })).toHaveCount(0);

  // Staff approve it over the API.
  const staff = `staff.${unique()}@example.com`;
  createStaff(staff);
  const login = await page.request.post("/api/v1/auth/login", {
    data: { identifier: staff, password: PASSWORD },
    headers: SAME_ORIGIN,
  });
  const token = (await login.json()).token;
  const approved = await page.request.post(`/api/v1/admin/users/${userId}/verification/approve`, {
    headers: { ...SAME_ORIGIN, Authorization: `Bearer ${token}` },
  });
  expect(approved.status(), await approved.text()).toBeLessThan(300);
  await page.reload();
  await expect(page.locator("dl.details")).toContainText("Verified");
  // The ID number is shown masked to its owner.
  await expect(page.locator("dl.details")).toContainText(masked(idNumber));
  await expect(page.locator("dl.details")).toContainText("张伟");
});

test("close the account from the security page", async ({ page }) => {
  const email = `close.${unique()}@example.com`;
  await signUpInBrowser(page, { email, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);
  await gotoHydrated(page, "/security");
  const closeForm = page.locator("form").filter({ has: page.getByRole("button", { name: "Close my account" }) });
  await closeForm.getByLabel("Confirm with your password").fill("not my password");
  await page.getByRole("button", { name: "Close my account" }).click();
  await expect(closeForm.getByRole("alert").or(closeForm.getByText("incorrect"))).toBeVisible();
  await closeForm.getByLabel("Confirm with your password").fill(PASSWORD);
  await page.getByRole("button", { name: "Close my account" }).click();
  await expect(page).toHaveURL(/\/$/);
  const res = await page.request.post("/api/v1/auth/login", {
    data: { identifier: email, password: PASSWORD },
    headers: SAME_ORIGIN,
  });
  expect(res.status()).toBe(403);
  expect((await res.json()).code).toBe("ACCOUNT_DISABLED");
});

test("the ID document's issuing country comes from the ISO list", async ({ page }) => {
  await signUpInBrowser(page, { email: `country.${unique()}@example.com`, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByLabel("Issuing country")).toHaveValue("CN");
  await page.getByLabel("Issuing country").selectOption("US");
  await page.getByLabel("ID document type").selectOption("passport");
  await page.getByLabel("ID document number").fill("X1234567");
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByText("Profile saved.")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Issuing country")).toHaveValue("US");
  // An unassigned code is refused by the API with a specific error.
  const res = await page.request.patch("/api/v1/me/profile", { data: { id_country: "ZZ" }, headers: SAME_ORIGIN });
  expect(res.status()).toBe(400);
  expect((await res.json()).code).toBe("INVALID_COUNTRY");
});

test("switching to Chinese on the profile page translates its choices and states", async ({ page }) => {
  await signUpInBrowser(page, { email: `zh.${unique()}@example.com`, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByLabel("Gender")).toContainText("Not specified");
  await page.getByLabel("Language").selectOption("zh-CN");
  // The select's options, the ID types and the review badges follow at once.
  await expect(page.getByLabel("性别")).toContainText("未指定");
  await expect(page.getByLabel("证件类型")).toContainText("中国大陆居民身份证");
  await expect(page.getByTestId("qualification-state")).toContainText("未提交");
  await expect(page.getByText("Not specified")).toHaveCount(0);
  await expect(page.getByText("Not submitted")).toHaveCount(0);
});
