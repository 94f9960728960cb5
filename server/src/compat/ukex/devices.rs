//! `Device/AddBindDevice`, `RemoveBindDevice` and `CheckBindDevice`: the
//! token's own devices (`uid` must be the token's user).

use super::call::{own_user, Call};
use super::envelope::{Problem, Reply};
use super::Ukex;
use axum::extract::State;
use serde_json::{json, Value};
use shared::ErrorCode;

/// Binds a device, or renames it when it is bound already.
pub(crate) async fn bind(State(s): State<Ukex>, call: Call) -> Reply {
    Reply::of(add(&s, &call).await, "绑定失败")
}

async fn add(s: &Ukex, call: &Call) -> Result<Value, Problem> {
    let auth = call.user(&s.uc).await?;
    let f = call.fields()?;
    own_user(f, "uid", &auth)?;
    let device_id = f.required("device_id")?;
    let name = f.required("device_name")?;
    let os = f.required("device_os")?;
    s.uc.bind_device(auth.user_id, &device_id, &name, &os)
        .await?;
    Ok("绑定成功".into())
}

/// Unbinds a device. (The document's "响应status" for this operation
/// shows a stray object of numbers, `{"0":154221241,"1":"142 ",…}`, that
/// matches nothing else in it; the answer is the documented
/// `"移除成功"/"移除失败"`.)
pub(crate) async fn remove(State(s): State<Ukex>, call: Call) -> Reply {
    Reply::of(unbind(&s, &call).await, "移除失败")
}

async fn unbind(s: &Ukex, call: &Call) -> Result<Value, Problem> {
    let auth = call.user(&s.uc).await?;
    let f = call.fields()?;
    own_user(f, "uid", &auth)?;
    let device_id = f.required("device_id")?;
    s.uc.remove_device(auth.user_id, &device_id)
        .await
        .map_err(|e| match e.code() {
            ErrorCode::NotFound => Problem::new("该设备未绑定 (NOT_FOUND)"),
            _ => e.into(),
        })?;
    Ok("移除成功".into())
}

/// `status: 1` with `{"groupid": "1"|"2"}` (1 super admin, 2 everyone
/// else, from the product's roles) when the device is bound; `status: 0`
/// when it is not.
pub(crate) async fn check(State(s): State<Ukex>, call: Call) -> Reply {
    Reply::of(checked(&s, &call).await, "检测失败")
}

async fn checked(s: &Ukex, call: &Call) -> Result<Value, Problem> {
    let auth = call.user(&s.uc).await?;
    let f = call.fields()?;
    own_user(f, "uid", &auth)?;
    let device_id = f.required("device_id")?;
    let check = s.uc.check_device(auth.user_id, &device_id).await?;
    if !check.bound {
        return Err(Problem::new("该设备未绑定"));
    }
    Ok(json!({ "groupid": check.group.to_string() }))
}
