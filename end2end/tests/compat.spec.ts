import { expect, test } from "@playwright/test";
import { createHash } from "node:crypto";
import { PASSWORD, gotoHydrated, signUpInBrowser, unique, uniquePhone } from "./helpers";

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

// The seed-compatible facades, on in the end-to-end server (UC_COMPAT), used
// the way their clients use them, with the same person then on the web UI.
// The test runner is on loopback, inside UC_COMPAT_ALLOW_FROM's default.

async function signInOnTheWeb(page: import("@playwright/test").Page, identifier: string, password: string) {
  await gotoHydrated(page, "/login");
  await page.getByLabel("Email, phone or username").fill(identifier);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/profile$/);
}

test("an account opened by the ukex server signs in on the web and sees a ukex transfer", async ({ page, request }) => {
  const buyer = `${unique()}@example.com`;
  const seller = `${unique()}@example.com`;
  const ukex = async (op: string, data: object, token?: string) => {
    const res = await request.post(`/api/${op}`, { data, headers: token ? { token } : {} });
    expect(res.status()).toBe(200);
    return res.json();
  };
  for (const usercount of [buyer, seller]) {
    expect(await ukex("UserCenter/Login", { usercount, password: PASSWORD, source_type: 1 })).toEqual({
      status: 1,
      data: "添加成功",
    });
  }
  const signedIn = await ukex("UserCenter/Login", { usercount: buyer, password: PASSWORD });
  expect(signedIn.status).toBe(1);
  const { token, uid } = signedIn.data;
  const sellerId = (await ukex("UserCenter/Login", { usercount: seller, password: PASSWORD })).data.uid;
  expect(await ukex("Balance/AddBalance", { coinId: "1", quantityNum: "10" }, token)).toEqual({
    status: 1,
    data: "充值成功",
  });
  expect(
    await ukex(
      "Balance/TransferBalance",
      { buyerUserId: uid, sellerUserId: sellerId, coinId: "1", transNum: "2.50" },
      token,
    ),
  ).toEqual({ status: 1, data: "操作成功" });

  // The seller signs in on the web with the password the ukex server set.
  await signInOnTheWeb(page, seller, PASSWORD);
  await gotoHydrated(page, "/wallet");
  const history = page.getByRole("table", { name: /^History/ });
  await expect(history).toContainText("2.50");
});

test("an account from the web signs in through the app API with the same password", async ({ page, request }) => {
  const email = `${unique()}@example.com`;
  await signUpInBrowser(page, { email, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);
  const res = await request.post("/Api/User/login", { form: { phone: email, password: PASSWORD } });
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body).toMatchObject({ code: 1000, state: 1, info: "登录成功" });
  expect(typeof body.data.token).toBe("string");
  expect(body.data.authenticationState).toBe(0);

  const wrong = await (
    await request.post("/Api/User/login", { form: { phone: email, password: "not the password" } })
  ).json();
  expect(wrong).toMatchObject({ code: 1010, state: 2, data: "" });
});

test("a user added by a yonyou application signs in on the web, and its CAS check takes the password's MD5", async ({ page, request }) => {
  const mobile = uniquePhone();
  const code = `yht${unique()}`.slice(0, 20);
  // The document's form body, with this test's values.
  const added = await request.post("/user/user", {
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    data: `userCode=${code}&userMobile=${mobile}&userPassword=${encodeURIComponent(PASSWORD)}&userName=tanyh`,
  });
  expect(added.status()).toBe(200);
  const body = await added.json();
  expect(body.status).toBe(1);
  expect(typeof body.user.userId).toBe("string");

  await signInOnTheWeb(page, mobile, PASSWORD);

  const cas = async (md5Password: string) =>
    (
      await request.post("/cas/v1/validate", {
        data: { userName: mobile, md5Password, shaPassword: "", norsa: "norsa", sysId: "yht" },
      })
    ).json();
  expect(await cas(md5(PASSWORD))).toMatchObject({ status: "1", msg: "认证成功", user: { userId: body.user.userId } });
  expect(await cas(md5("not the password"))).toEqual({ status: "0", msg: "用户名或密码错误" });
});

test("a web account is checked by a jigsaw client with MD5(MD5(password))", async ({ page, request }) => {
  const email = `${unique()}@example.com`;
  await signUpInBrowser(page, { email, password: PASSWORD });
  await expect(page).toHaveURL(/\/profile$/);
  const auth = async (loginPassword: string) =>
    (await request.post("/jigsaw/authLoginPwd", { data: { loginId: email, loginPassword } })).json();
  const ok = await auth(md5(md5(PASSWORD)));
  expect(ok).toMatchObject({ result: "SUCCESS" });
  expect(typeof ok.userNo).toBe("string");
  const wrong = await auth(md5(md5("not the password")));
  expect(wrong).toMatchObject({ result: "FAIL", consecutiveErrors: 1 });
});
