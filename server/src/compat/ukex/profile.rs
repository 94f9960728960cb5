//! `User/Auth` (permission flags), `User/Info` (account and contact data)
//! and `User/RealInfo` (real-name data) of the token's own user.
//!
//! Each takes parallel lists `column` and `value` and an `oper_type`. A
//! find answers `data` as an object `{column: value}` for the columns asked
//! (all of them when `column` is empty); a change answers `"操作成功"`.
//! A column the product has no field for is refused with its name, and a
//! change touches nothing unless every column can be applied.

use super::call::{Call, Fields};
use super::envelope::{Problem, Reply};
use super::{Ukex, SERVICE};
use axum::extract::State;
use domain::audit::Whence;
use serde_json::{Map, Value};
use shared::admin::Permissions;
use shared::identity::{Gender, IdType};
use shared::profile::UpdateProfileRequest;

/// The `column` list (names trimmed).
fn columns(f: &Fields) -> Result<Vec<String>, Problem> {
    f.list("column")?
        .into_iter()
        .map(|c| match c {
            Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            _ => Err(Problem::invalid("column", "须为字段名（字符串）的列表")),
        })
        .collect()
}

/// The `column` and `value` lists side by side, for a change.
fn pairs(f: &Fields) -> Result<Vec<(String, Value)>, Problem> {
    let columns = columns(f)?;
    let values = f.list("value")?;
    if columns.is_empty() {
        return Err(Problem::missing("column"));
    }
    if columns.len() != values.len() {
        return Err(Problem::new(format!(
            "column 与 value 的个数须相同（{} 与 {}）",
            columns.len(),
            values.len()
        )));
    }
    Ok(columns.into_iter().zip(values).collect())
}

/// A value as text: strings as sent, numbers as written.
fn text_of(column: &str, value: &Value) -> Result<String, Problem> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(Problem::invalid(column, "值须为字符串")),
    }
}

// ---------------------------------------------------------------- User/Auth

/// The product's permission flags under the seed's column names (the
/// document names `is_allow_login`; the other two follow its pattern, and
/// the names without `is_` are accepted too).
const FLAGS: [&str; 3] = ["is_allow_login", "is_allow_transfer", "is_allow_withdraw"];

fn flag<'p>(permissions: &'p mut Permissions, column: &str) -> Result<&'p mut bool, Problem> {
    let name = column.strip_prefix("is_").unwrap_or(column);
    match name.to_ascii_lowercase().as_str() {
        "allow_login" => Ok(&mut permissions.allow_login),
        "allow_transfer" => Ok(&mut permissions.allow_transfer),
        "allow_withdraw" => Ok(&mut permissions.allow_withdraw),
        _ => Err(Problem::new(format!(
            "未知的权限字段 {column}（可用：{}）",
            FLAGS.join("、")
        ))),
    }
}

/// `1`/`0`, `"1"`/`"0"` or `true`/`false`.
fn switch(column: &str, value: &Value) -> Result<bool, Problem> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) if n.as_i64() == Some(1) => Ok(true),
        Value::Number(n) if n.as_i64() == Some(0) => Ok(false),
        Value::String(s) => match s.trim() {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            _ => Err(Problem::invalid(column, "值须为 1 或 0")),
        },
        _ => Err(Problem::invalid(column, "值须为 1 或 0")),
    }
}

/// `User/Auth`: `oper_type` 1 (add) and 2 (modify) both set the flags
/// named (the flags always exist, so adding is setting); 3 finds them, or
/// with `value` given verifies them: `status: 1` when every flag has its
/// value, else `status: 0` naming the ones that differ. Changes are made
/// as the service `ukex` and audited; turning sign-in off ends every
/// session of the user, the calling token's included.
pub(crate) async fn permissions(State(s): State<Ukex>, call: Call) -> Reply {
    Reply::of(flags(&s, &call).await, "操作失败")
}

async fn flags(s: &Ukex, call: &Call) -> Result<Value, Problem> {
    let auth = call.user(&s.uc).await?;
    let f = call.fields()?;
    let oper = f.required_int("oper_type")?;
    let mut current = s.uc.permissions(auth.user_id).await?;
    match oper {
        1 | 2 => {
            let mut wanted = current;
            for (column, value) in pairs(f)? {
                *flag(&mut wanted, &column)? = switch(&column, &value)?;
            }
            s.uc.set_permissions_for_service(SERVICE, auth.user_id, wanted, Whence::from(&auth))
                .await?;
            Ok("操作成功".into())
        }
        3 => {
            let mut asked = columns(f)?;
            if asked.is_empty() {
                asked = FLAGS.iter().map(|c| c.to_string()).collect();
            }
            let values = f.list("value")?;
            if values.is_empty() {
                let mut found = Map::new();
                for column in asked {
                    let on = *flag(&mut current, &column)?;
                    found.insert(column, Value::from(i64::from(on)));
                }
                return Ok(Value::Object(found));
            }
            let mut differ = Vec::new();
            for (column, value) in pairs(f)? {
                if *flag(&mut current, &column)? != switch(&column, &value)? {
                    differ.push(column);
                }
            }
            if differ.is_empty() {
                Ok("操作成功".into())
            } else {
                Err(Problem::new(format!("权限不符：{}", differ.join("、"))))
            }
        }
        _ => Err(Problem::invalid(
            "oper_type",
            "1（新增）、2（修改）或 3（查找验证）",
        )),
    }
}

// ---------------------------------------------------------------- User/Info

/// `User/Info` columns that can be read.
const INFO_COLUMNS: [&str; 13] = [
    "uid",
    "usercount",
    "username",
    "email",
    "mobile",
    "pending_email",
    "pending_mobile",
    "nickname",
    "avatar",
    "source_type",
    "status",
    "created_at",
    "is_real_name",
];

/// `User/Info`: `oper_type` 1 changes, 2 finds. Readable: see
/// [`INFO_COLUMNS`] (`phone` = `mobile`, `display_name` = `nickname`,
/// `id`/`userid` = `uid`). Changeable: `nickname`, and `mobile` / `email`,
/// which nobody has proven: they are kept as the account's *pending*
/// contact until the user confirms it with a code on the security page,
/// and read back under `pending_mobile` / `pending_email` meanwhile.
pub(crate) async fn info(State(s): State<Ukex>, call: Call) -> Reply {
    Reply::of(info_of(&s, &call).await, "操作失败")
}

async fn info_of(s: &Ukex, call: &Call) -> Result<Value, Problem> {
    let auth = call.user(&s.uc).await?;
    let f = call.fields()?;
    match f.required_int("oper_type")? {
        1 => {
            let mut contacts = Vec::new();
            let mut change = UpdateProfileRequest::default();
            let mut touched = false;
            for (column, value) in pairs(f)? {
                let text = text_of(&column, &value)?;
                match info_name(&column) {
                    Some("mobile" | "email") => {
                        // Checked before anything is written.
                        shared::validate::parse_contact(&text)?;
                        contacts.push(text);
                    }
                    Some("nickname") => {
                        change.display_name = Some(text);
                        touched = true;
                    }
                    Some(_) => return Err(Problem::new(format!("字段 {column} 不能修改"))),
                    None => return Err(unknown(&column, &INFO_COLUMNS)),
                }
            }
            if touched {
                s.uc.update_profile(auth.user_id, &change).await?;
            }
            for contact in contacts {
                s.uc.record_contact(auth.user_id, &contact).await?;
            }
            Ok("操作成功".into())
        }
        2 => {
            let profile = s.uc.profile(auth.user_id).await?;
            let mut asked = columns(f)?;
            if asked.is_empty() {
                asked = INFO_COLUMNS.iter().map(|c| c.to_string()).collect();
            }
            let mut found = Map::new();
            for column in asked {
                let value = match info_name(&column) {
                    Some("uid") => Value::from(profile.id.to_string()),
                    Some("usercount") => Value::from(
                        profile
                            .email
                            .clone()
                            .or_else(|| profile.phone.clone())
                            .or_else(|| profile.username.clone()),
                    ),
                    Some("username") => Value::from(profile.username.clone()),
                    Some("email") => Value::from(profile.email.clone()),
                    Some("mobile") => Value::from(profile.phone.clone()),
                    Some("pending_email") => Value::from(profile.pending_email.clone()),
                    Some("pending_mobile") => Value::from(profile.pending_phone.clone()),
                    Some("nickname") => Value::from(profile.display_name.clone()),
                    Some("avatar") => Value::from(profile.avatar_url.clone()),
                    Some("source_type") => Value::from(
                        s.uc.account_source(auth.user_id)
                            .await?
                            .map(|source| source.code()),
                    ),
                    Some("status") => Value::from(s.uc.stored_status(profile.id).await?.as_str()),
                    Some("created_at") => Value::from(profile.created_at.clone()),
                    Some("is_real_name") => Value::from(i64::from(
                        profile.verification == shared::profile::VerificationState::Verified,
                    )),
                    _ => return Err(unknown(&column, &INFO_COLUMNS)),
                };
                found.insert(column, value);
            }
            Ok(Value::Object(found))
        }
        _ => Err(Problem::invalid(
            "oper_type",
            "1（修改数据）或 2（查找数据）",
        )),
    }
}

/// The canonical name of a `User/Info` column, accepting the product's
/// own names as well.
fn info_name(column: &str) -> Option<&'static str> {
    let lower = column.to_ascii_lowercase();
    let name = match lower.as_str() {
        "id" | "userid" | "user_id" => "uid",
        "phone" => "mobile",
        "display_name" | "nick_name" => "nickname",
        "avatar_url" => "avatar",
        other => other,
    };
    INFO_COLUMNS.iter().copied().find(|c| *c == name)
}

fn unknown(column: &str, known: &[&str]) -> Problem {
    Problem::new(format!("未知的字段 {column}（可用：{}）", known.join("、")))
}

// ------------------------------------------------------------ User/RealInfo

/// `User/RealInfo` columns.
const REAL_COLUMNS: [&str; 6] = [
    "first_name",
    "gender",
    "id_type",
    "id_country",
    "id_number",
    "real_status",
];

/// `User/RealInfo`: `oper_type` 1 changes, 2 finds. The product keeps one
/// real-name field, so `first_name` (also `real_name`, `name`) is the
/// whole name as written (the document's example `"wu"` is a family name;
/// names are never split); `last_name` is refused rather than guessed.
/// `gender` is `male`/`female`/`unspecified` (1/2/0 accepted), `id_type`
/// `mainland_id`/`passport`/`other`, `id_number` reads masked, and
/// `real_status` (read only) is `unverified`/`pending`/`verified`/
/// `rejected`. While a submission is pending or approved the identity
/// fields are locked, as on the web.
pub(crate) async fn real_info(State(s): State<Ukex>, call: Call) -> Reply {
    Reply::of(real_of(&s, &call).await, "操作失败")
}

async fn real_of(s: &Ukex, call: &Call) -> Result<Value, Problem> {
    let auth = call.user(&s.uc).await?;
    let f = call.fields()?;
    match f.required_int("oper_type")? {
        1 => {
            let mut change = UpdateProfileRequest::default();
            for (column, value) in pairs(f)? {
                let text = text_of(&column, &value)?;
                match real_name(&column)? {
                    "first_name" => change.real_name = Some(text),
                    "gender" => change.gender = Some(gender(&column, &text)?),
                    "id_type" => {
                        change.id_type = Some(IdType::parse(text.trim()).ok_or_else(|| {
                            Problem::invalid(&column, "mainland_id、passport 或 other")
                        })?)
                    }
                    "id_country" => change.id_country = Some(text),
                    "id_number" => change.id_number = Some(text),
                    _ => return Err(Problem::new(format!("字段 {column} 不能修改"))),
                }
            }
            s.uc.update_profile(auth.user_id, &change).await?;
            Ok("操作成功".into())
        }
        2 => {
            let profile = s.uc.profile(auth.user_id).await?;
            let mut asked = columns(f)?;
            if asked.is_empty() {
                asked = REAL_COLUMNS.iter().map(|c| c.to_string()).collect();
            }
            let mut found = Map::new();
            for column in asked {
                let value = match real_name(&column)? {
                    "first_name" => Value::from(profile.real_name.clone()),
                    "gender" => Value::from(profile.gender.as_str()),
                    "id_type" => Value::from(profile.id_type.as_str()),
                    "id_country" => Value::from(profile.id_country.clone()),
                    "id_number" => Value::from(profile.id_number_masked.clone()),
                    _ => Value::from(profile.verification.as_str()),
                };
                found.insert(column, value);
            }
            Ok(Value::Object(found))
        }
        _ => Err(Problem::invalid(
            "oper_type",
            "1（修改数据）或 2（查找数据）",
        )),
    }
}

/// The canonical name of a `User/RealInfo` column.
fn real_name(column: &str) -> Result<&'static str, Problem> {
    let lower = column.to_ascii_lowercase();
    let name = match lower.as_str() {
        "last_name" | "lastname" | "given_name" | "family_name" => {
            return Err(Problem::new(format!(
                "字段 {column} 不支持：本系统只保存完整姓名，请用 first_name 传完整姓名"
            )))
        }
        "real_name" | "realname" | "name" | "firstname" => "first_name",
        "sex" => "gender",
        "idcard" | "id_card" | "idno" => "id_number",
        "verification" => "real_status",
        other => other,
    };
    REAL_COLUMNS
        .iter()
        .copied()
        .find(|c| *c == name)
        .ok_or_else(|| unknown(column, &REAL_COLUMNS))
}

/// `male`/`female`/`unspecified`, or the common 1/2/0.
fn gender(column: &str, text: &str) -> Result<Gender, Problem> {
    let t = text.trim().to_ascii_lowercase();
    let g = match t.as_str() {
        "1" => Some(Gender::Male),
        "2" => Some(Gender::Female),
        "0" => Some(Gender::Unspecified),
        other => Gender::parse(other),
    };
    g.ok_or_else(|| Problem::invalid(column, "male、female、unspecified（或 1、2、0）"))
}
