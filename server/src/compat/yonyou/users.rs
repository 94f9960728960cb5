//! `user/user` (get, add), `user/getusersbypks`, `user/userspage` and
//! `user/users` (batch add).

use super::call::{parse_user_id, sys_id, user_id, Call};
use super::params::Params;
use super::replies::{message, Status};
use super::user_vo::{user_vo, Contacts};
use super::Yonyou;
use axum::extract::State;
use axum::response::Response;
use domain::service_accounts::{ServiceAccount, ServiceAccountOutcome};
use serde_json::{json, Value};
use shared::ErrorCode;

/// Most users one batch may add (the document's limit).
pub(super) const BATCH_MAX: usize = 50;
/// Most ids one lookup or search may name: a bound the document leaves
/// open, generous for a screen of users and small enough for one call.
pub(super) const PKS_MAX: usize = 500;
/// `user/userspage`: the document's default page size, and the largest.
const PAGE_SIZE: u32 = 20;
const PAGE_SIZE_MAX: u32 = 100;
/// The last page number asked for that is taken seriously (the offset stays small).
const PAGE_MAX: u32 = 1_000_000;

/// The yonyou codes of an existing account's identifier.
const MOBILE_EXISTS: &str = "900010000200008";
const EMAIL_EXISTS: &str = "900010000200009";
const USER_CODE_EXISTS: &str = "900010000200007";

/// `GET user/user?userId=`: `{"status":"1","user":{UserVO}}` (`status` a
/// string, as its table says; the document shows no example).
pub(super) async fn get_user(State(y): State<Yonyou>, call: Call) -> Response {
    const S: Status = Status::Text;
    let p = match call.params {
        Ok(p) => p,
        Err(e) => return S.unreadable(e),
    };
    if p.text(&["userId"]).is_none() {
        return S.fail("缺少参数 userId");
    }
    let Some(id) = user_id(&p) else {
        return S.fail(message(&ErrorCode::NotFound.into()));
    };
    match y.uc.profile(id).await {
        Ok(user) => S.ok(json!({ "user": user_vo(&user, y.contacts(&p)) })),
        Err(e) => S.error(&e),
    }
}

/// `POST user/user`: adds a user; see [`add`]. `status` is a number, as in
/// the document's examples.
pub(super) async fn add_user(State(y): State<Yonyou>, call: Call) -> Response {
    const S: Status = Status::Int;
    let p = match call.params {
        Ok(p) => p,
        Err(e) => return S.unreadable(e),
    };
    match add(&y, &p, &sys_id(&p), y.contacts(&p)).await {
        Ok((ok, fields)) => S.body(ok, fields),
        Err(e) => S.error(&e),
    }
}

/// `POST user/users`: `{"users":[UserVO…],"sysId":"…"}` (or a form with
/// `sysId` and `jsonStr`), at most [`BATCH_MAX`]. Each row is added as by
/// `user/user`, independently, and answered in `users` in request order
/// with that call's answer (`status`, `msg`, `code`, `user`). The batch's
/// own `status` is 1 when the rows were processed, 0 only when it was
/// refused as a whole (nothing added).
pub(super) async fn add_users(State(y): State<Yonyou>, call: Call) -> Response {
    const S: Status = Status::Int;
    let p = match call.params {
        Ok(p) => p,
        Err(e) => return S.unreadable(e),
    };
    let wrapped = p.object(&["jsonStr"]);
    let rows = p
        .objects(&["users"])
        .or_else(|| wrapped.as_ref().and_then(|w| w.objects(&["users"])))
        .or_else(|| p.objects(&["jsonStr"]));
    let Some(rows) = rows else {
        return S.fail("缺少用户列表 users");
    };
    if rows.is_empty() {
        return S.fail("用户列表 users 为空");
    }
    if rows.len() > BATCH_MAX {
        return S.fail(format!(
            "一次最多添加 {BATCH_MAX} 个用户，本次 {} 个，未添加任何用户",
            rows.len()
        ));
    }
    let batch_sys_id = match sys_id(&p) {
        s if s.is_empty() => wrapped.as_ref().map(sys_id).unwrap_or_default(),
        s => s,
    };
    let contacts = y.contacts(&p);
    let mut answers = Vec::with_capacity(rows.len());
    for row in &rows {
        let row_sys_id = match sys_id(row) {
            s if s.is_empty() => batch_sys_id.clone(),
            s => s,
        };
        let answer = match add(&y, row, &row_sys_id, contacts).await {
            Ok((ok, fields)) => S.object(ok, fields),
            Err(e) => S.object(false, json!({ "msg": message(&e) })),
        };
        answers.push(answer);
    }
    S.ok(json!({ "users": answers }))
}

/// Adds one user from its UserVO fields: `userCode`, `userName`,
/// `userMobile` (the document also writes `userMile`) or `userEmail`, and
/// optionally `userPassword`. Returns whether it was added and the answer's
/// fields; `Err` only for an internal failure.
///
/// - `userCode` is the account's username, unless it equals the mobile or
///   the email (yonyou uses the phone number as the code of accounts
///   registered by phone): then the account has no separate username.
/// - Without `userPassword` the account's password is one nobody knows
///   (never a shared default): its owner sets one by resetting it.
/// - A taken mobile, email or userCode answers `status` 0, the document's
///   `msg` and `code`, and the existing user (masked contacts unless the
///   `secretKey` is right), checked in that order.
async fn add(
    y: &Yonyou,
    row: &Params,
    sys_id: &str,
    contacts: Contacts,
) -> Result<(bool, Value), domain::DomainError> {
    let fail = |msg: &str| Ok((false, json!({ "msg": msg })));
    let Some(user_code) = row.text(&["userCode"]) else {
        return fail("缺少必填参数 userCode");
    };
    let Some(user_name) = row.text(&["userName"]) else {
        return fail("缺少必填参数 userName");
    };
    let mobile = row.text(&["userMobile", "userMile"]).unwrap_or_default();
    let email = row.text(&["userEmail"]).unwrap_or_default();
    if mobile.is_empty() && email.is_empty() {
        return fail("userMobile 或 userEmail 至少填写一个");
    }
    let username = if user_code == mobile || user_code.eq_ignore_ascii_case(&email) {
        ""
    } else {
        user_code.as_str()
    };
    let display_name = decode_logged_bytes(&user_name);
    let password = row.text(&["userPassword"]);
    let account = ServiceAccount {
        email: &email,
        phone: &mobile,
        username,
        display_name: &display_name,
        password: password.as_deref(),
        source: sys_id,
    };
    match y.uc.create_service_account(&account).await {
        Ok(ServiceAccountOutcome::Created(user)) => {
            Ok((true, json!({ "user": user_vo(&user, contacts) })))
        }
        Ok(ServiceAccountOutcome::Exists { taken, user }) => {
            let (msg, code) = match taken {
                ErrorCode::PhoneTaken => (format!("{mobile} 手机号已存在"), MOBILE_EXISTS),
                ErrorCode::EmailTaken => (format!("{email} 邮箱已存在"), EMAIL_EXISTS),
                _ => (format!("{user_code} 用户帐号已经存在"), USER_CODE_EXISTS),
            };
            Ok((
                false,
                json!({ "msg": msg, "code": code, "user": user_vo(&user, contacts) }),
            ))
        }
        Err(e) if e.code() == ErrorCode::Internal => Err(e),
        Err(e) => fail(&message(&e)),
    }
}

/// The document's batch example writes a name as the UTF-8 bytes a log
/// showed (`[0xe6][0xb5][0x8b]…p1` for `测…p1`). A name made of such runs
/// that decode to UTF-8 is taken as the decoded text; anything else as it is.
pub(super) fn decode_logged_bytes(name: &str) -> String {
    if !name.contains("[0x") {
        return name.to_string();
    }
    let mut bytes = Vec::with_capacity(name.len());
    let mut rest = name;
    while !rest.is_empty() {
        let run = rest
            .strip_prefix("[0x")
            .and_then(|r| r.get(..3))
            .filter(|r| r.ends_with(']'))
            .and_then(|r| u8::from_str_radix(&r[..2], 16).ok());
        match run {
            Some(byte) => {
                bytes.push(byte);
                rest = &rest[6..];
            }
            None => {
                let c = rest.chars().next().unwrap_or_default();
                let mut buf = [0u8; 4];
                bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|_| name.to_string())
}

/// `POST /user/getusersbypks`: `{"pks":[…],"sysid":"","secretKey":""}` →
/// `{"status":1,"users":[UserVO…]}` (`status` a number and the list under
/// `users`, as in the example). Unknown ids are left out; phones and emails
/// are masked unless `secretKey` is the configured one.
pub(super) async fn users_by_pks(State(y): State<Yonyou>, call: Call) -> Response {
    const S: Status = Status::Int;
    let p = match call.params {
        Ok(p) => p,
        Err(e) => return S.unreadable(e),
    };
    let pks = p.list(&["pks"]);
    if pks.len() > PKS_MAX {
        return S.fail(format!("pks 最多 {PKS_MAX} 个"));
    }
    let contacts = y.contacts(&p);
    let mut users = Vec::with_capacity(pks.len());
    for id in pks.iter().filter_map(|pk| parse_user_id(pk)) {
        match y.uc.profile(id).await {
            Ok(user) => users.push(user_vo(&user, contacts)),
            Err(e) if e.code() == ErrorCode::NotFound => {}
            Err(e) => return S.error(&e),
        }
    }
    S.ok(json!({ "users": users }))
}

/// `GET user/userspage?pks=…&userName=…`: users among `pks` (all users
/// when none is given) whose name contains `userName`, oldest first, a
/// Spring-style page of 20 under `user` (`status` a string, as its table
/// says). Optional `page` (from 0) and `size` (1–100).
pub(super) async fn users_page(State(y): State<Yonyou>, call: Call) -> Response {
    const S: Status = Status::Text;
    let p = match call.params {
        Ok(p) => p,
        Err(e) => return S.unreadable(e),
    };
    let pks = p.list(&["pks"]);
    if pks.len() > PKS_MAX {
        return S.fail(format!("pks 最多 {PKS_MAX} 个"));
    }
    let ids: Option<Vec<i64>> =
        (!pks.is_empty()).then(|| pks.iter().filter_map(|pk| parse_user_id(pk)).collect());
    let number = |names: &[&str], default: u32| match p.text(names) {
        None => Some(default),
        Some(text) => text.parse::<u32>().ok(),
    };
    let (Some(page), Some(size)) = (
        number(&["page", "pageNumber"], 0),
        number(&["size", "pageSize"], PAGE_SIZE),
    ) else {
        return S.fail("page 和 size 应为非负整数");
    };
    if !(1..=PAGE_SIZE_MAX).contains(&size) {
        return S.fail(format!("size 应在 1 到 {PAGE_SIZE_MAX} 之间"));
    }
    if page > PAGE_MAX {
        return S.fail(format!("page 最大为 {PAGE_MAX}"));
    }
    let name = p.text(&["userName"]).unwrap_or_default();
    let found = match y
        .uc
        .find_service_users(ids.as_deref(), &name, page, size)
        .await
    {
        Ok(found) => found,
        Err(e) => return S.error(&e),
    };
    let contacts = y.contacts(&p);
    let content: Vec<Value> = found.users.iter().map(|u| user_vo(u, contacts)).collect();
    let total_pages = (found.total + i64::from(size) - 1) / i64::from(size);
    let is_last = i64::from(page) + 1 >= total_pages;
    S.ok(json!({
        "user": {
            "number": page,
            "totalpages": total_pages,
            "content": content,
            "totalElements": found.total,
            "sort": {
                "nullHandling": "NATIVE",
                "ignoreCase": false,
                "property": "registerDate",
                "ascending": true,
                "direction": "ASC",
            },
            "first": page == 0,
            "firstpage": page == 0,
            "last": is_last,
            "lastpage": is_last,
            "numberOfElements": content.len(),
            "size": size,
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::decode_logged_bytes;

    #[test]
    fn logged_bytes_in_names_are_decoded() {
        assert_eq!(
            decode_logged_bytes(
                "[0xe6][0xb5][0x8b][0xe8][0xaf][0x95][0xe7][0x94][0xa8][0xe6][0x88][0xb7]p1"
            ),
            "测试用户p1"
        );
        assert_eq!(decode_logged_bytes("tanyh"), "tanyh");
        // Not UTF-8 once decoded, or not a run: kept as typed.
        assert_eq!(decode_logged_bytes("[0xff]a"), "[0xff]a");
        assert_eq!(decode_logged_bytes("[0xzz]"), "[0xzz]");
        assert_eq!(decode_logged_bytes("吴[0x"), "吴[0x");
    }
}
