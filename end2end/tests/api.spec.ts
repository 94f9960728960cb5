import { expect, test } from "@playwright/test";
import { PASSWORD, registerViaApi, unique } from "./helpers";

test("REST API: register, bearer token, logout revokes it", async ({ request }) => {
  const email = `api.${unique()}@example.com`;
  const reg = await registerViaApi(request, { email, password: PASSWORD });
  expect(reg.status()).toBe(201);
  const body = await reg.json();
  expect(body.token_type).toBe("Bearer");
  expect(body.user.email).toBe(email);
  expect(JSON.stringify(body)).not.toContain("argon2");

  const headers = { Authorization: `Bearer ${body.token}` };
  const me = await request.get("/api/v1/me", { headers });
  expect(me.status()).toBe(200);
  expect((await me.json()).id).toBe(body.user.id);

  expect((await request.post("/api/v1/auth/logout", { headers })).status()).toBe(204);
  const after = await request.get("/api/v1/me", { headers });
  expect(after.status()).toBe(401);
  expect((await after.json()).code).toBe("UNAUTHENTICATED");
});

test("REST API: bad input gets specific 4xx codes", async ({ request }) => {
  const cases: Array<[string, any, number, string]> = [
    ["unknown field", { data: { email: "x@example.com", password: PASSWORD, admin: true } }, 400, "INVALID_INPUT"],
    ["malformed json", { data: "{not json", headers: { "content-type": "application/json" } }, 400, "INVALID_INPUT"],
    ["wrong type", { data: { email: 5, password: PASSWORD } }, 400, "INVALID_INPUT"],
    ["bad email", { data: { email: "nope", password: PASSWORD } }, 400, "INVALID_EMAIL"],
    ["weak password", { data: { email: `w.${unique()}@example.com`, password: "short" } }, 400, "WEAK_PASSWORD"],
    ["no contact", { data: { username: `u${unique()}`, password: PASSWORD } }, 400, "CONTACT_REQUIRED"],
    ["form encoded", { form: { email: "x@example.com", password: PASSWORD } }, 415, "UNSUPPORTED_MEDIA_TYPE"],
  ];
  for (const [name, options, status, code] of cases) {
    const res = await request.post("/api/v1/auth/register", options);
    expect(res.status(), name).toBe(status);
    expect((await res.json()).code, name).toBe(code);
  }
  const big = await request.post("/api/v1/auth/register", {
    data: { email: "a@example.com", password: "x".repeat(200_000) },
  });
  expect(big.status()).toBe(413);
});
