//! `verification`, `getVerification` and `authenticationQualifications`:
//! the real-name and the qualification reviews.
//!
//! The seed checked the ID on the spot ("认证成功"); the product has staff
//! review each submission. So a submission answers 1000 once it is taken
//! for review (the info says so), `get_user_details` shows `status` 4 until
//! staff decide, and `getVerification` answers 1000 only once approved.

use super::accounts::log_unexpected;
use super::addresses::{document_id, local_path};
use super::envelope::{Code, Reply};
use super::Request;
use serde_json::json;
use shared::privacy::ConsentPurpose;
use shared::profile::{VerificationKind, VerificationState};
use shared::ErrorCode;

/// What the qualification submission is called for staff.
const QUALIFICATION: &str = "从业资格证";

/// `Api/User/verification/token/{token}`: `name`, `cardno` (a mainland
/// resident ID number), submitted for review.
pub(super) async fn verification(req: &Request<'_>) -> Reply {
    let auth = match req.session().await {
        Ok(auth) => auth,
        Err(no) => return no.not_logged_in(),
    };
    let (Some(name), Some(cardno)) = (req.params.get("name"), req.params.get("cardno")) else {
        return Reply::fail(Code::InputWrong, "输入的信息有误:姓名和身份证号不能为空");
    };
    // The seed has no consent step: its client shows the consent text in its
    // own app before it calls this, and the call records that consent (see
    // README, "Personal data").
    let purpose = ConsentPurpose::IdentityDocuments;
    let consent = req
        .uc()
        .give_consent(auth.user_id, purpose, purpose.current_version(), &auth)
        .await;
    if let Err(e) = consent {
        log_unexpected("verification consent", &e);
        return Reply::fail(Code::VerificationFailed, "认证失败");
    }
    match req.uc().submit_real_name(auth.user_id, name, cardno).await {
        Ok(_) => Reply::ok(json!(""), "认证信息提交成功,等待客服审核"),
        Err(e) => match e.code() {
            ErrorCode::InvalidIdNumber
            | ErrorCode::IdBirthDateInvalid
            | ErrorCode::IdGenderMismatch => {
                Reply::fail(Code::WrongCodeOrIdentity, "认证失败,请填写正确的身份信息")
            }
            ErrorCode::InvalidRealName | ErrorCode::Required | ErrorCode::InvalidInput => {
                Reply::fail(Code::InputWrong, "输入的信息有误")
            }
            ErrorCode::VerificationPending => Reply::fail(
                Code::VerificationFailed,
                "认证失败:认证信息正在审核中,请勿重复提交",
            ),
            ErrorCode::AlreadyVerified => {
                Reply::fail(Code::VerificationFailed, "认证失败:已通过认证,无需重复提交")
            }
            _ => {
                log_unexpected("verification", &e);
                Reply::fail(Code::VerificationFailed, "认证失败")
            }
        },
    }
}

/// `Api/User/getVerification/token/{token}`: 1000 "获取成功" when the real
/// name is verified; 1012 otherwise, the info saying where it stands (never
/// submitted, under review, or rejected with the reviewer's reason); 996
/// when it cannot be read. `data` is "" as in the document.
pub(super) async fn get_verification(req: &Request<'_>) -> Reply {
    let auth = match req.session().await {
        Ok(auth) => auth,
        Err(no) => return no.not_logged_in(),
    };
    let review = match req
        .uc()
        .verification(auth.user_id, VerificationKind::RealName)
        .await
    {
        Ok(review) => review,
        Err(e) => {
            log_unexpected("getVerification", &e);
            return Reply::fail(Code::FetchFailed, "获取失败");
        }
    };
    match review.state {
        VerificationState::Verified => Reply::ok(json!(""), "获取成功"),
        VerificationState::Pending => Reply::fail(Code::VerificationFailed, "认证审核中"),
        VerificationState::Unverified => Reply::fail(Code::VerificationFailed, "未认证"),
        VerificationState::Rejected => Reply::fail(
            Code::VerificationFailed,
            match review.reason {
                Some(reason) => format!("认证失败:{reason}"),
                None => "认证失败".to_string(),
            },
        ),
    }
}

/// `GET Api/User/authenticationQualifications/token/{token}`: `picture` =
/// the address of the certificate's photo, uploaded here as a
/// `qualification` document (`POST /api/v1/me/documents?kind=qualification`,
/// address `/api/v1/me/documents/{id}`). It is submitted for the
/// qualification review. The photo must be the caller's own and not yet
/// submitted; nothing is fetched.
pub(super) async fn qualification(req: &Request<'_>) -> Reply {
    let auth = match req.session().await {
        Ok(auth) => auth,
        Err(no) => return no.not_logged_in(),
    };
    let Some(address) = req.params.get("picture") else {
        return Reply::fail(Code::MissingParameter, "图片名称地址不能空");
    };
    let Some(id) = local_path(address, req.host, "").and_then(document_id) else {
        return Reply::fail(
            Code::AddFailed,
            "资格证上传失败:图片地址必须是本站上传的资格证图片地址(/api/v1/me/documents/…)",
        );
    };
    match req
        .uc()
        .submit_qualification_with_photo(auth.user_id, QUALIFICATION, Some(id))
        .await
    {
        Ok(_) => Reply::ok(json!(""), "从业资格证上传成功,等待客服认证"),
        Err(e) => {
            let info = match e.code() {
                ErrorCode::InvalidDocument => {
                    "资格证上传失败:该图片不是您上传的、尚未提交的资格证图片"
                }
                ErrorCode::VerificationPending => "资格证正在审核中,请勿重复提交",
                ErrorCode::AlreadyVerified => "资格证已通过认证",
                _ => {
                    log_unexpected("authenticationQualifications", &e);
                    "资格证上传失败,请联系客服"
                }
            };
            Reply::fail(Code::AddFailed, info)
        }
    }
}
