import { expect, Page, test } from "@playwright/test";
import * as zlib from "zlib";
import { PASSWORD, signUpInBrowser, unique } from "./helpers";

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(kind: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(kind, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A real RGB PNG: a diagonal gradient with a white disc, so crops show. */
function makePng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const inDisc = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (Math.min(width, height) / 4) ** 2;
      row.set(inDisc ? [255, 255, 255] : [(x * 255) / width, 90, (y * 255) / height], 1 + x * 3);
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

async function signUp(page: Page) {
  await signUpInBrowser(page, { email: `ava.${unique()}@example.com`, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

test("upload an avatar, see it in the header, refuse a text file, remove it", async ({ page }) => {
  await signUp(page);
  const headerAvatar = page.locator("header").getByRole("img", { name: "Your avatar" });
  // The default: initials on a colour, drawn inline.
  await expect(headerAvatar).toHaveAttribute("src", /^data:image\/svg\+xml,/);

  const file = page.getByLabel("Avatar", { exact: true });
  await file.setInputFiles({ name: "me.png", mimeType: "image/png", buffer: makePng(160, 100) });
  await expect(page.getByRole("img", { name: "Preview of the chosen image" })).toBeVisible();
  await page.getByRole("button", { name: "Upload avatar" }).click();
  await expect(page.getByText("Avatar updated.")).toBeVisible();
  await expect(headerAvatar).toHaveAttribute("src", /^\/media\/avatars\/[0-9a-f]{64}-64\.png$/);
  await expect.poll(() => headerAvatar.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
  const uploaded = await headerAvatar.getAttribute("src");
  await expect(page.locator("main").getByRole("img", { name: "Your avatar" })).toHaveAttribute(
    "src",
    /^\/media\/avatars\/[0-9a-f]{64}-256\.png$/,
  );

  // A text file dressed up as a PNG: a clear message, and the avatar stays.
  await file.setInputFiles({ name: "notes.png", mimeType: "image/png", buffer: Buffer.from("Just some notes.\n") });
  await page.getByRole("button", { name: "Upload avatar" }).click();
  await expect(page.getByRole("alert")).toContainText("Upload a JPEG, PNG, WebP or GIF image.");
  await expect(headerAvatar).toHaveAttribute("src", uploaded!);

  await page.getByRole("button", { name: "Remove avatar" }).click();
  await expect(page.getByText("Avatar removed.")).toBeVisible();
  await expect(headerAvatar).toHaveAttribute("src", /^data:image\/svg\+xml,/);
  await expect(page.getByRole("button", { name: "Remove avatar" })).toHaveCount(0);
});

// Opt-in (SCREENSHOTS=1), like screenshots.spec.ts: the profile with an avatar.
for (const [label, viewport] of [
  ["desktop", { width: 1280, height: 800 }],
  ["phone", { width: 390, height: 844 }],
] as const) {
  test(`avatar screenshots at ${label} width`, async ({ page }) => {
    test.skip(!process.env.SCREENSHOTS, "set SCREENSHOTS=1 to take screenshots");
    await page.setViewportSize(viewport);
    await signUp(page);
    await page.getByLabel("Avatar", { exact: true }).setInputFiles({
      name: "me.png",
      mimeType: "image/png",
      buffer: makePng(300, 200),
    });
    await page.getByRole("button", { name: "Upload avatar" }).click();
    await expect(page.getByText("Avatar updated.")).toBeVisible();
    await page.screenshot({ path: `screenshots/${label}-profile-avatar.png`, fullPage: true });
    await page.getByLabel("Avatar", { exact: true }).setInputFiles({
      name: "notes.png",
      mimeType: "image/png",
      buffer: Buffer.from("text"),
    });
    await page.getByRole("button", { name: "Upload avatar" }).click();
    await expect(page.getByRole("alert")).toBeVisible();
    await page.screenshot({ path: `screenshots/${label}-profile-avatar-error.png`, fullPage: false });
  });
}

test("submit the real name with ID card photos and a qualification document", async ({ page }) => {
  await signUpInBrowser(page, { email: `docs.${unique()}@example.com`, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");

  await page.getByRole("button", { name: "I agree" }).click();
  await page.getByLabel("Real name").fill("张伟");
  await page.getByLabel("Resident ID number").fill("11010519491231002X");
  await page.getByLabel("Photo of the ID card front").setInputFiles({
    name: "front.png",
    mimeType: "image/png",
    buffer: makePng(320, 200),
  });
  await page.getByLabel("Photo of the ID card back").setInputFiles({
    name: "back.png",
    mimeType: "image/png",
    buffer: makePng(320, 200),
  });
  await page.getByRole("button", { name: "Submit for review" }).click();
  await expect(page.locator("dl.details")).toContainText("Under review");

  // A text file is refused with its own message, and nothing is submitted.
  await page.getByLabel("Document name or number").fill("Business licence 91110000");
  await page.getByLabel("Photo of the document").setInputFiles({
    name: "licence.png",
    mimeType: "image/png",
    buffer: Buffer.from("this is not an image"),
  });
  await page.getByRole("button", { name: "Submit document" }).click();
  await expect(page.getByRole("alert")).toContainText("JPEG, PNG, WebP or GIF");
  await expect(page.getByTestId("qualification-state")).toContainText("Not submitted");
  await page.getByLabel("Photo of the document").setInputFiles({
    name: "licence.png",
    mimeType: "image/png",
    buffer: makePng(400, 300),
  });
  await page.getByRole("button", { name: "Submit document" }).click();
  await expect(page.getByTestId("qualification-state")).toContainText("Under review");

  // The submissions reference the photos.
  const res = await page.request.get("/api/v1/me/verification");
  const overview = await res.json();
  expect(overview.real_name.documents.map((d: { kind: string }) => d.kind).sort()).toEqual(["id_back", "id_front"]);
  expect(overview.qualification.documents).toHaveLength(1);
});
