import { expect, test } from "@playwright/test";
import { spawnSync } from "child_process";
import { readFileSync } from "fs";
import { gotoHydrated, PASSWORD, SAME_ORIGIN, serverBinary, signUpInBrowser, unique } from "./helpers";

test("identity documents need a separate consent, and withdrawing it deletes the submission", async ({ page }) => {
  await signUpInBrowser(page, { email: `consent.${unique()}@example.com`, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");

  // Without consent there is no form, and the API refuses a submission.
  const consent = page.getByRole("region", { name: "Consent to processing your identity document" });
  await expect(consent).toContainText("resident ID number");
  await expect(page.getByLabel("Resident ID number")).toHaveCount(0);
  const refused = await page.request.post("/api/v1/me/verification", {
    data: { real_name: "张伟", id_number: "11010519491231002X" },
    headers: SAME_ORIGIN,
  });
  expect(refused.status()).toBe(409);
  expect((await refused.json()).code).toBe("CONSENT_REQUIRED");

  await consent.getByRole("button", { name: "I agree" }).click();
  await expect(page.getByTestId("consent-state")).toContainText("You agreed to version 1 of the consent text on");
  await page.getByLabel("Real name").fill("张伟");
  await page.getByLabel("Resident ID number").fill("11010519491231002X");
  await page.getByRole("button", { name: "Submit for review" }).click();
  await expect(page.locator("dl.details")).toContainText("Under review");

  // Still recorded after a reload.
  await page.reload();
  await expect(page.getByTestId("consent-state")).toContainText("version 1");

  await page.getByRole("button", { name: "Withdraw consent" }).click();
  await expect(page.getByTestId("consent-state")).toContainText("You withdrew your consent on");
  await expect(page.locator("dl.details")).toContainText("Not submitted");
  await expect(page.getByLabel("Resident ID number")).toHaveCount(0);
  const verification = await page.request.get("/api/v1/me/verification");
  expect((await verification.json()).real_name.state).toBe("unverified");
});

test("download my data gives a zip of the account", async ({ page }) => {
  const email = `export.${unique()}@example.com`;
  await signUpInBrowser(page, { email, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);
  await gotoHydrated(page, "/profile");
  const region = page.getByRole("region", { name: "Your data" });
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    region.getByRole("link", { name: "Download my data" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^user-center-data-\d+\.zip$/);
  const path = await download.path();
  const bytes = readFileSync(path);
  // A zip whose first entry is data.json (names are stored in the clear).
  expect(bytes.subarray(0, 4).toString("binary")).toBe("PK\u0003\u0004");
  expect(bytes.includes(Buffer.from("data.json"))).toBe(true);
  // The event is in the user's own export next time.
  const again = await page.request.get("/api/v1/me/export");
  expect(again.status()).toBe(200);
  expect(again.headers()["content-type"]).toBe("application/zip");
});

test("a wrong data key stops the operator CLI before it reads anything", () => {
  const wrong = Buffer.alloc(32, 7).toString("base64");
  const refused = spawnSync(serverBinary(), ["keys", "status"], {
    env: { ...process.env, UC_DATA_KEY: wrong },
    encoding: "utf8",
  });
  expect(refused.status).toBe(1);
  expect(refused.stderr).toContain("does not open the data-encryption keys stored in the database");
  const malformed = spawnSync(serverBinary(), ["keys", "status"], {
    env: { ...process.env, UC_DATA_KEY: "too short" },
    encoding: "utf8",
  });
  expect(malformed.status).toBe(1);
  expect(malformed.stderr).toContain("UC_DATA_KEY must be the base64 of exactly 32 bytes");
  // With the data directory's own key it answers.
  const status = spawnSync(serverBinary(), ["keys", "status"], { env: process.env, encoding: "utf8" });
  expect(status.status, status.stderr).toBe(0);
  expect(status.stdout).toMatch(/^data key \d+ is active; not yet sealed under it: \d+ users/);
});
