//! The avatar: what every page shows for the user, and the editor on
//! `/profile` (choose a file, preview it, upload with a progress bar,
//! remove).
//!
//! The upload sends the file itself as the body of `PUT /api/v1/me/avatar`
//! (the session cookie authenticates it) through `XMLHttpRequest`, the only
//! browser API that reports upload progress. The server decides whether
//! the bytes are an image; the browser only catches empty and oversized
//! files early, with the same error codes.

use crate::components::form_alert::FormAlert;
use crate::components::session_keeper::use_auth_epoch;
use crate::components::submit_button::SubmitButton;
use crate::components::upload::{chosen_file, precheck, send_file};
use crate::errors::error_text;
use crate::i18n::*;
use crate::profile_api::RemoveAvatar;
use leptos::html::Input;
use leptos::prelude::*;
use shared::dto::UserProfile;
use shared::media::{default_avatar_data_url, ACCEPTED_IMAGE_TYPES};
use shared::{AppError, ErrorCode};

/// The user's avatar URL: the uploaded one (64 px when `small`), else the
/// default drawn from the id and name, so both look the same everywhere.
pub fn avatar_src(user: &UserProfile, small: bool) -> String {
    let uploaded = if small {
        &user.avatar_small_url
    } else {
        &user.avatar_url
    };
    uploaded
        .clone()
        .unwrap_or_else(|| default_avatar_data_url(user.id, &user.short_name()))
}

/// What the last change did; kept by the page, because a change reloads
/// the profile and with it this editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AvatarNotice {
    Saved,
    Removed,
}

/// The avatar section of `/profile`.
#[component]
pub fn AvatarEditor(
    user: UserProfile,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<AvatarNotice>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let epoch = use_auth_epoch();
    let input = NodeRef::<Input>::new();
    // An object URL of the chosen file, revoked when replaced.
    let preview = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<AppError>);
    let progress = RwSignal::new(None::<f64>);
    let remove = ServerAction::<RemoveAvatar>::new();
    let has_avatar = user.avatar_url.is_some();
    let current = avatar_src(&user, false);

    let forget_preview = move || {
        if let Some(url) = preview.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&url);
            preview.set(None);
        }
    };
    // The signal may already be disposed with the rest of the editor here,
    // hence `try_`: a panic in the browser would stop the whole app.
    on_cleanup(move || {
        if let Some(url) = preview.try_get_untracked().flatten() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    });

    let on_change = move |_| {
        error.set(None);
        notice.set(None);
        forget_preview();
        let Some(file) = chosen_file(input) else {
            return;
        };
        match precheck(file.size()) {
            Ok(()) => preview.set(web_sys::Url::create_object_url_with_blob(&file).ok()),
            Err(e) => error.set(Some(e)),
        }
    };

    let on_upload = move |_| {
        if progress.get_untracked().is_some() {
            return;
        }
        notice.set(None);
        let Some(file) = chosen_file(input) else {
            error.set(Some(AppError::new(ErrorCode::Required)));
            return;
        };
        if let Err(e) = precheck(file.size()) {
            error.set(Some(e));
            return;
        }
        error.set(None);
        progress.set(Some(0.0));
        send_file(
            "PUT",
            "/api/v1/me/avatar",
            &file,
            Some(progress),
            move |outcome| {
                progress.set(None);
                match outcome {
                    Ok(_) => {
                        notice.set(Some(AvatarNotice::Saved));
                        // The page and the header load the new URL.
                        changed.update(|n| *n += 1);
                        epoch.0.update(|n| *n += 1);
                    }
                    Err(e) => error.set(Some(e)),
                }
            },
        );
    };

    Effect::new(move |_| match remove.value().get() {
        Some(Ok(())) => {
            notice.set(Some(AvatarNotice::Removed));
            changed.update(|n| *n += 1);
            epoch.0.update(|n| *n += 1);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });

    let message = Signal::derive(move || error.get().map(|e| error_text(i18n, &e).to_string()));
    let uploading = move || progress.get().is_some();
    view! {
        <section class="card panel avatar-editor" aria-labelledby="avatar-title">
            <h2 id="avatar-title">{t!(i18n, avatar_title)}</h2>
            <div class="avatar-editor-body">
                {move || match preview.get() {
                    Some(url) => view! {
                        <img
                            class="avatar-img avatar-img-xl avatar-preview"
                            src=url
                            // Not something the browser can show (a text
                            // file, a damaged image): show the current
                            // avatar instead of a broken-image icon.
                            on:error=move |_| forget_preview()
                            alt=move || t_string!(i18n, avatar_preview_alt)
                            width="96"
                            height="96"
                        />
                    }
                    .into_any(),
                    None => view! {
                        <img
                            class="avatar-img avatar-img-xl"
                            src=current.clone()
                            alt=move || t_string!(i18n, avatar_alt)
                            width="96"
                            height="96"
                        />
                    }
                    .into_any(),
                }}
                <div class="avatar-controls">
                    <FormAlert message=message/>
                    <div class="field">
                        <label for="avatar-file">{t!(i18n, field_avatar)}</label>
                        <input
                            type="file"
                            id="avatar-file"
                            name="avatar"
                            accept=ACCEPTED_IMAGE_TYPES
                            aria-describedby="avatar-hint"
                            node_ref=input
                            on:change=on_change
                        />
                        <p class="hint" id="avatar-hint">{t!(i18n, avatar_hint)}</p>
                    </div>
                    {move || progress.get().map(|pct| view! {
                        <progress
                            class="upload-progress"
                            max="100"
                            value=format!("{pct:.0}")
                            aria-label=move || t_string!(i18n, avatar_progress)
                        >
                            {format!("{pct:.0}%")}
                        </progress>
                    })}
                    <p class="form-success" role="status">
                        {move || notice.get().map(|n| match n {
                            AvatarNotice::Saved => t_string!(i18n, avatar_saved),
                            AvatarNotice::Removed => t_string!(i18n, avatar_removed),
                        })}
                    </p>
                    <div class="avatar-actions">
                        <button
                            type="button"
                            class="btn btn-primary"
                            on:click=on_upload
                            disabled=uploading
                            aria-busy=move || if uploading() { "true" } else { "false" }
                        >
                            {move || if uploading() {
                                t_string!(i18n, avatar_uploading)
                            } else {
                                t_string!(i18n, avatar_upload)
                            }}
                        </button>
                        {has_avatar.then(|| view! {
                            <ActionForm action=remove attr:class="inline-form">
                                <SubmitButton
                                    pending=remove.pending()
                                    label=Signal::derive(move || t_string!(i18n, avatar_remove))
                                    pending_label=Signal::derive(move || t_string!(i18n, avatar_removing))
                                    class="btn btn-secondary"
                                />
                            </ActionForm>
                        })}
                    </div>
                </div>
            </div>
        </section>
    }
    .into_any()
}
