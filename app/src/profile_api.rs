//! Server functions of the profile: editing, real-name verification and
//! closing one's own account. Thin adapters to the domain.

use leptos::prelude::*;
use shared::dto::UserProfile;
use shared::AppError;

/// Saves the editable profile fields; an empty text clears a field.
#[server(prefix = "/api/fn", endpoint = "update_profile")]
pub async fn update_profile(
    display_name: String,
    gender: String,
    #[server(default)] id_type: String,
    #[server(default)] id_number: String,
    #[server(default)] id_country: String,
) -> Result<UserProfile, AppError> {
    use crate::server::*;
    use shared::identity::{Gender, IdType};
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    let gender = Gender::ALL.iter().copied().find(|g| g.as_str() == gender);
    // A blank number keeps the stored document: the form never shows it unmasked.
    let new_document = !id_number.trim().is_empty();
    let id_type = IdType::ALL
        .iter()
        .copied()
        .find(|t| t.as_str() == id_type)
        .filter(|_| new_document);
    let change = shared::profile::UpdateProfileRequest {
        display_name: Some(display_name),
        gender,
        id_type,
        id_number: new_document.then_some(id_number),
        id_country: (!id_country.trim().is_empty()).then_some(id_country),
        ..Default::default()
    };
    uc.update_profile(auth.user_id, &change)
        .await
        .map_err(reject)
}

/// Submits the real name and resident ID number for review, with the ids
/// of ID card photos uploaded before (`POST /api/v1/me/documents`).
#[server(prefix = "/api/fn", endpoint = "submit_real_name")]
pub async fn submit_real_name(
    real_name: String,
    id_number: String,
    #[server(default)] id_front_document: Option<i64>,
    #[server(default)] id_back_document: Option<i64>,
) -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    let photos = domain::verification::IdCardPhotos {
        front: id_front_document,
        back: id_back_document,
    };
    uc.submit_real_name_with_photos(auth.user_id, &real_name, &id_number, photos)
        .await
        .map(|_| ())
        .map_err(reject)
}

/// The signed-in user's qualification review.
#[server(prefix = "/api/fn", endpoint = "my_qualification")]
pub async fn my_qualification() -> Result<shared::profile::Verification, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.verification(
        auth.user_id,
        shared::profile::VerificationKind::Qualification,
    )
    .await
    .map_err(reject)
}

/// Submits a qualification document (what it is, and optionally the id of
/// its uploaded photo) for review.
#[server(prefix = "/api/fn", endpoint = "submit_qualification")]
pub async fn submit_qualification(
    #[server(default)] document: String,
    #[server(default)] document_id: Option<i64>,
) -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.submit_qualification_with_photo(auth.user_id, &document, document_id)
        .await
        .map(|_| ())
        .map_err(reject)
}

/// Removes the signed-in user's avatar; the default one shows again.
/// (Uploading goes to `PUT /api/v1/me/avatar`, which takes the raw image.)
#[server(prefix = "/api/fn", endpoint = "remove_avatar")]
pub async fn remove_avatar() -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.remove_avatar(auth.user_id)
        .await
        .map(|_| ())
        .map_err(reject)
}

/// Closes the signed-in user's own account after the password is re-entered.
#[server(prefix = "/api/fn", endpoint = "close_account")]
pub async fn close_account(
    password: String,
    #[server(default)] reason: String,
    #[server(default)] erase: Option<String>,
) -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let caller = caller().await?;
    let auth = caller.authenticate(&uc).await.map_err(reject)?;
    let erase = erase.is_some_and(|v| v != "false" && v != "off");
    uc.close_own_account(&auth, &password, Some(&reason), erase)
        .await
        .map_err(reject)?;
    clear_auth_cookies(&caller)?;
    leptos_axum::redirect("/");
    Ok(())
}

/// The ID document country picker's options, `(code, name)`, named and
/// sorted in `lang` (CLDR, e.g. "Côte d’Ivoire" / "科特迪瓦"). The table
/// lives on the server only: pages render these options there, and the
/// browser asks again only after a language switch.
#[server(prefix = "/api/fn", endpoint = "country_options")]
pub async fn country_options(lang: String) -> Result<Vec<(String, String)>, AppError> {
    Ok(shared::countries::country_names(&lang)
        .iter()
        .map(|c| (c.code.to_string(), c.name.clone()))
        .collect())
}
