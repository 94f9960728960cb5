//! `/admin/reviews`: real-name and qualification submissions awaiting
//! review, oldest first.

use super::{load_error, short_time, AdminNav};
use crate::admin_api::{admin_pending, AdminReview};
use crate::components::form_alert::FormAlert;
use crate::errors::error_text_with_details;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;
use shared::profile::Verification;

#[component]
pub fn AdminReviewsPage() -> impl IntoView {
    let i18n = use_i18n();
    let review = ServerAction::<AdminReview>::new();
    let queues = Resource::new_blocking(
        move || review.version().get(),
        |_| async move {
            let real = admin_pending("real_name".into()).await?;
            let qual = admin_pending("qualification".into()).await?;
            Ok::<_, shared::AppError>((real, qual))
        },
    );
    let error = Signal::derive(move || {
        review
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| error_text_with_details(i18n, &e))
    });
    view! {
        <section class="card wide-card admin-card" aria-labelledby="reviews-title">
            <h1 id="reviews-title">{t!(i18n, admin_reviews_title)}</h1>
            <AdminNav/>
            <FormAlert message=error/>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match queues.await {
                        Ok((real, qual)) => view! {
                            <h2>{t!(i18n, admin_real_name_review)}</h2>
                            <Queue items=real kind="real_name" action=review/>
                            <h2>{t!(i18n, admin_qualification_review)}</h2>
                            <Queue items=qual kind="qualification" action=review/>
                        }
                        .into_any(),
                        Err(e) => load_error(e, "/admin/reviews"),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn Queue(
    items: Vec<(i64, Verification)>,
    kind: &'static str,
    action: ServerAction<AdminReview>,
) -> impl IntoView {
    let i18n = use_i18n();
    if items.is_empty() {
        return view! { <p class="muted">{t!(i18n, admin_queue_empty)}</p> }.into_any();
    }
    view! {
        <ul class="review-list">
            {items.into_iter().map(|(user_id, v)| {
                let reason_id = format!("reason-{kind}-{user_id}");
                let what = v.real_name.clone().map(|n| format!("{n} · {}", v.id_number_masked.clone().unwrap_or_default()))
                    .or(v.document.clone())
                    .unwrap_or_default();
                view! {
                    <li class="review-box">
                        <p>
                            <A href=format!("/admin/users/{user_id}")>{format!("#{user_id}")}</A>
                            " · " <strong>{what}</strong>
                            " · " <span class="muted">{v.submitted_at.as_deref().map(short_time).unwrap_or_default()}</span>
                        </p>
                        <div class="action-row">
                            <ActionForm action=action attr:class="inline-form">
                                <input type="hidden" name="user_id" value=user_id/>
                                <input type="hidden" name="kind" value=kind/>
                                <input type="hidden" name="decision" value="approve"/>
                                <button type="submit" class="btn btn-primary">{t!(i18n, admin_approve)}</button>
                            </ActionForm>
                            <ActionForm action=action attr:class="inline-form reject-form">
                                <input type="hidden" name="user_id" value=user_id/>
                                <input type="hidden" name="kind" value=kind/>
                                <input type="hidden" name="decision" value="reject"/>
                                <label for=reason_id.clone() class="visually-hidden">{t!(i18n, admin_reject_reason)}</label>
                                <input id=reason_id.clone() name="reason" autocomplete="off" placeholder=move || t_string!(i18n, admin_reject_reason)/>
                                <button type="submit" class="btn btn-ghost">{t!(i18n, admin_reject)}</button>
                            </ActionForm>
                        </div>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
