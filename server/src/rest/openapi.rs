//! The OpenAPI 3.1 document of `/api/v1` and a page that reads it.
//!
//! `utoipa` builds the operations and schemas from the handlers'
//! `#[utoipa::path]` and the shared DTOs' `ToSchema` (the `openapi` feature
//! of `shared`, enabled only here). What is the same for many operations is
//! added once in [`document`] instead of on every handler: the cookie
//! alternative to the Bearer token, the signature headers and required scope
//! of service calls, and the error answers.
//!
//! The docs page is one static HTML file with its own CSS and JS: it loads
//! `/api/v1/openapi.json` and needs nothing from the internet, so it works on
//! an offline network.

use axum::http::header;
use axum::response::{Html, IntoResponse};
use domain::service_apps::{Scope, MAX_CLOCK_SKEW_SECS};
use domain::UserCenter;
use serde_json::{json, Map, Value};
use shared::ErrorCode;
use std::sync::OnceLock;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Where the REST API is mounted; the document's paths start with it, as do
/// the paths that service requests sign.
pub const PREFIX: &str = "/api/v1";

pub fn routes() -> OpenApiRouter<UserCenter> {
    OpenApiRouter::new()
        .routes(routes!(openapi_json))
        .routes(routes!(docs))
}

/// The parts of the document that belong to no handler.
#[derive(OpenApi)]
#[openapi(
    info(title = "User Center API", license(name = "MIT")),
    components(schemas(
        shared::AppError,
        shared::ErrorCode,
        shared::Field,
        shared::LoginFailures,
        shared::error::PasswordProblem
    )),
    tags(
        (name = "auth", description = "Sign-up, sign-in, tokens and password recovery."),
        (name = "codes", description = "Verification codes and image captchas."),
        (name = "me", description = "The signed-in user's account, password and contacts."),
        (name = "sessions", description = "The signed-in user's sessions."),
        (name = "devices", description = "Devices bound to the account."),
        (name = "profile", description = "Profile, real-name verification and closing one's account."),
        (name = "media", description = "Avatars and verification documents: uploads as raw image bodies (up to 5 MiB) and private document images."),
        (name = "wallet", description = "Balances, history, payment PIN and transfers."),
        (name = "admin", description = "Staff only (`staff` or `super_admin` role, checked on every request): reviews, account states and money movements."),
        (name = "service", description = "The signed API for other services: see the `service_sign` security scheme."),
        (name = "meta", description = "This document and its page.")
    )
)]
struct ApiDoc;

/// The document as JSON text, built once.
pub fn json_text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        // Serialising a `Value` cannot fail; the fallback only keeps the
        // request path free of panics.
        serde_json::to_string_pretty(&document()).unwrap_or_else(|_| "{}".to_string())
    })
}

/// The whole document: the handlers' operations under [`PREFIX`], with the
/// shared parts filled in.
pub fn document() -> Value {
    let doc = ApiDoc::openapi().nest(PREFIX, super::api().doc);
    let mut doc = serde_json::to_value(doc).unwrap_or_else(|_| json!({}));
    complete(&mut doc);
    doc
}

/// The OpenAPI document of this API (JSON).
///
/// Generated from the handlers and the shared DTOs, so it lists exactly the
/// routes the server has.
#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
async fn openapi_json() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        json_text(),
    )
}

/// A readable page of this API, rendered in the browser from `/api/v1/openapi.json`.
///
/// Self-contained: no fonts, scripts or styles from elsewhere.
#[utoipa::path(get, path = "/docs", tag = "meta",
    responses((status = 200, description = "An HTML page", content_type = "text/html")))]
async fn docs(facts: Option<axum::Extension<edge::RequestFacts>>) -> impl IntoResponse {
    // Its one inline script and one style element run by this response's
    // nonce, like the app's pages; nothing else inline would.
    let nonce = facts.map_or_else(edge::CspNonce::generate, |f| f.0.nonce().clone());
    let n = &nonce.0;
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{n}'; style-src 'nonce-{n}'; \
         connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; \
         form-action 'none'"
    );
    let page = include_str!("docs.html")
        .replacen("<style>", &format!("<style nonce=\"{n}\">"), 1)
        .replacen("<script>", &format!("<script nonce=\"{n}\">"), 1);
    (
        [
            (header::CONTENT_SECURITY_POLICY, csp),
            (header::CACHE_CONTROL, "no-cache".to_string()),
        ],
        Html(page),
    )
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Fills in what the handlers leave to one place: description, security
/// schemes, error codes, and per operation the cookie alternative, the
/// service headers and scope, and the error answers.
fn complete(doc: &mut Value) {
    doc["openapi"] = json!("3.1.0");
    doc["info"]["version"] = json!(env!("CARGO_PKG_VERSION"));
    doc["info"]["description"] = json!(api_description());
    // OpenAPI 3.1 wants an SPDX identifier (or a URL) with the licence name.
    doc["info"]["license"] = json!({"name": "MIT", "identifier": "MIT"});
    doc["components"]["securitySchemes"] = security_schemes();
    if let Some(schema) = doc.pointer_mut("/components/schemas/ErrorCode") {
        schema["description"] = json!(
            "A stable machine code; clients match on it, and the HTTP status follows from it. \
             `x-error-codes` lists each code with its status and English text."
        );
        schema["x-error-codes"] = Value::Array(
            ErrorCode::ALL
                .iter()
                .map(|c| json!({"code": c.as_str(), "status": c.http_status(), "message": c.english()}))
                .collect(),
        );
    }
    flatten_login_counters(doc);
    if let Some(schema) = doc.pointer_mut("/components/schemas/AppError") {
        schema["description"] = json!(
            "The body of every error answer. `code` is stable; `message` is English for logs \
             and developers. `field` names the input at fault. Sign-in failures add the counters \
             of `LoginFailures`; locks and cooldowns add `retry_after_secs`."
        );
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        for method in METHODS {
            if let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) {
                complete_operation(op);
            }
        }
    }
}

/// `AppError` carries `LoginFailures` flattened and optional. utoipa renders
/// that as `allOf: [oneOf: [null, LoginFailures], {…}]`, which no plain error
/// (without counters) would validate against; this makes it one object whose
/// counter fields are optional.
fn flatten_login_counters(doc: &mut Value) {
    let counters = doc
        .pointer("/components/schemas/LoginFailures/properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let Some(schema) = doc.pointer_mut("/components/schemas/AppError") else {
        return;
    };
    let object = schema
        .get("allOf")
        .and_then(Value::as_array)
        .and_then(|parts| parts.iter().find(|p| p.get("properties").is_some()))
        .cloned();
    if let Some(mut object) = object {
        if let Some(props) = object.get_mut("properties").and_then(Value::as_object_mut) {
            for (name, field) in counters {
                props.entry(name).or_insert(field);
            }
        }
        *schema = object;
    }
}

/// The scopes a service operation requires, from its `service_sign` requirement.
fn service_scopes(op: &Map<String, Value>) -> Option<Vec<Value>> {
    op.get("security")?
        .as_array()?
        .iter()
        .find_map(|req| req.get("service_sign")?.as_array().cloned())
}

fn uses_scheme(op: &Map<String, Value>, scheme: &str) -> bool {
    op.get("security")
        .and_then(Value::as_array)
        .is_some_and(|reqs| reqs.iter().any(|r| r.get(scheme).is_some()))
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AppError"}}}
    })
}

fn complete_operation(op: &mut Map<String, Value>) {
    let responses = |op: &mut Map<String, Value>| -> Map<String, Value> {
        op.remove("responses")
            .and_then(|r| r.as_object().cloned())
            .unwrap_or_default()
    };
    if let Some(scopes) = service_scopes(op) {
        let scope_text = scopes
            .iter()
            .filter_map(Value::as_str)
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ");
        // All four headers are required together (one requirement object).
        op.insert(
            "security".into(),
            json!([{
                "service_app_id": [],
                "service_req_time": [],
                "service_transaction_id": [],
                "service_sign": scopes,
            }]),
        );
        op.insert("x-required-scope".into(), Value::Array(scopes));
        let description = op
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        op.insert(
            "description".into(),
            json!(format!(
                "{description}\n\nRequired scope: {scope_text}. Signed: see the `service_sign` \
                 security scheme."
            )
            .trim_start()),
        );
        let mut r = responses(op);
        r.entry("401").or_insert_with(|| error_response(
            "`SIGNATURE_MISSING`, `APP_UNKNOWN`, `REQUEST_EXPIRED` or `SIGNATURE_INVALID`: the signature headers are missing or wrong",
        ));
        r.entry("403").or_insert_with(|| {
            error_response(&format!("`SCOPE_MISSING`: the app lacks {scope_text}"))
        });
        r.entry("409").or_insert_with(|| error_response(
            "`TRANSACTION_REPLAYED`: the transaction id was used before (wallet calls: `IDEMPOTENCY_CONFLICT`, same id with other content)",
        ));
        r.entry("default")
            .or_insert_with(|| error_response("Any other error: see `ErrorCode`"));
        op.insert("responses".into(), Value::Object(r));
        return;
    }
    let bearer = uses_scheme(op, "bearer");
    if bearer {
        if let Some(reqs) = op.get_mut("security").and_then(Value::as_array_mut) {
            // Browsers send the same token as the `uc_token` cookie.
            let cookie = json!({"cookie": []});
            if !reqs.contains(&cookie) {
                reqs.push(cookie);
            }
        }
    }
    let optional_auth = op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|reqs| {
            reqs.iter()
                .any(|r| r.as_object().is_some_and(Map::is_empty))
        });
    let mut r = responses(op);
    if bearer && !optional_auth {
        r.entry("401").or_insert_with(|| {
            error_response(
                "`UNAUTHENTICATED` (no token), `TOKEN_EXPIRED`, `TOKEN_REVOKED`, \
                 `TOKEN_MALFORMED` or `TOKEN_INVALID_SIGNATURE`",
            )
        });
    }
    let public_meta = op
        .get("tags")
        .and_then(Value::as_array)
        .is_some_and(|t| t.contains(&json!("meta")));
    if !public_meta {
        r.entry("default")
            .or_insert_with(|| error_response("Any other error: see `ErrorCode`"));
    }
    op.insert("responses".into(), Value::Object(r));
}

/// The string a service signs, as documentation.
pub const STRING_TO_SIGN: &str =
    "METHOD\\nPATH?QUERY\\nREQ_TIME\\nTRANSACTION_ID\\nhex(sha256(body))";

fn security_schemes() -> Value {
    let scopes = Scope::ALL
        .iter()
        .map(|s| format!("`{}`", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    json!({
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "The access token from sign-in, sign-up or refresh (`token`), as \
                `Authorization: Bearer <token>`. Valid 15 minutes by default; refresh it with \
                `POST /api/v1/auth/refresh`."
        },
        "cookie": {
            "type": "apiKey",
            "in": "cookie",
            "name": "uc_token",
            "description": "The same access token as an HttpOnly cookie, set by the web \
                sign-in. For browsers; API clients use `bearer`."
        },
        "service_app_id": {
            "type": "apiKey",
            "in": "header",
            "name": "X-App-Id",
            "description": "The app id printed by `server admin create-app`."
        },
        "service_req_time": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Req-Time",
            "description": format!("Unix seconds; more than {MAX_CLOCK_SKEW_SECS} s from the \
                server's clock is `401 REQUEST_EXPIRED`.")
        },
        "service_transaction_id": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Transaction-Id",
            "description": "1–64 of letters, digits, `.`, `_`, `:`, `-`; unique per app. \
                A repeat is `409 TRANSACTION_REPLAYED`, except on wallet calls, where it is the \
                idempotency key (a repeat returns the first receipt)."
        },
        "service_sign": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Sign",
            "description": format!(
                "Lower-case hex HMAC-SHA256, keyed with the app secret, of the string\n\n\
                `{STRING_TO_SIGN}`\n\n\
                - `METHOD`: upper case, e.g. `POST`;\n\
                - `PATH?QUERY`: the request target exactly as sent, starting with `/api/v1/`, \
                with `?` and the query string only when there is one;\n\
                - `REQ_TIME` and `TRANSACTION_ID`: the values of `X-Req-Time` and \
                `X-Transaction-Id`;\n\
                - the last line: lower-case hex SHA-256 of the exact body bytes (of the empty \
                string when there is no body).\n\n\
                Lines are joined with a single `\\n`, no trailing newline. Together with \
                `X-App-Id`, `X-Req-Time` and `X-Transaction-Id` on every call. Missing headers: \
                `401 SIGNATURE_MISSING`; unknown or disabled app: `401 APP_UNKNOWN`; wrong \
                signature: `401 SIGNATURE_INVALID`; the app lacks the operation's scope \
                (`x-required-scope`): `403 SCOPE_MISSING`. Scopes: {scopes}."
            )
        }
    })
}

fn api_description() -> String {
    format!(
        "The JSON API of the user center: accounts, sessions, devices, profile, wallet, staff \
         operations, and a signed API for other services.\n\n\
         **Errors.** Every error answer is an `AppError`: \
         `{{\"code\": \"EMAIL_TAKEN\", \"message\": \"…\", \"field\": \"email\"}}`. The HTTP \
         status follows from `code` (see `ErrorCode` and its `x-error-codes` list). A malformed \
         body or query is `400 INVALID_INPUT`, a body that is not JSON `415 \
         UNSUPPORTED_MEDIA_TYPE`, over 64 KiB `413 PAYLOAD_TOO_LARGE`. Image uploads (tag `media`) are raw bodies of up to \
         5 MiB instead.\n\n\
         **Users** send the access token as `Authorization: Bearer` (scheme `bearer`); the web \
         UI's cookie (`cookie`) works too. Times are Unix seconds unless a field says RFC 3339; \
         amounts are decimal strings in the currency's scale beside integer minor units.\n\n\
         **Services** sign each call to `/api/v1/service/…` with four headers: `X-App-Id`, \
         `X-Req-Time`, `X-Transaction-Id` and `X-Sign`, the hex HMAC-SHA256 under the app \
         secret of `{STRING_TO_SIGN}` (see the `service_sign` scheme). Each operation names \
         the scope it needs in `x-required-scope`."
    )
}
