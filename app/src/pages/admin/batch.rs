//! `/admin/batch`: create up to 50 users from pasted or uploaded CSV.

use super::{short_time, AdminNav};
use crate::admin_api::AdminBatchCreate;
use crate::components::form_alert::FormAlert;
use crate::errors::{error_text, error_text_with_details};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;
use shared::ErrorCode;

#[component]
pub fn AdminBatchPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<AdminBatchCreate>::new();
    let csv = RwSignal::new(String::new());
    let error = Signal::derive(move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| error_text_with_details(i18n, &e))
    });
    let row_errors = move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .filter(|e| e.code == ErrorCode::BatchInvalid)
            .map(|e| e.rows)
            .unwrap_or_default()
    };
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                let promise = file.text();
                leptos::task::spawn_local(async move {
                    if let Ok(text) = wasm_bindgen_futures::JsFuture::from(promise).await {
                        if let Some(text) = text.as_string() {
                            csv.set(text);
                        }
                    }
                });
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <section class="card wide-card admin-card" aria-labelledby="batch-title">
            <h1 id="batch-title">{t!(i18n, admin_batch_title)}</h1>
            <AdminNav/>
            <p class="lead">{t!(i18n, admin_batch_lead)}</p>
            <ActionForm action=action attr:class="stack-form" attr:novalidate=true>
                <div class="field">
                    <label for="batch-file">{t!(i18n, admin_batch_file)}</label>
                    <input id="batch-file" type="file" accept=".csv,text/csv,text/plain" on:change=on_file/>
                </div>
                <div class="field">
                    <label for="batch-csv">{t!(i18n, admin_batch_csv)}</label>
                    <textarea
                        id="batch-csv"
                        name="csv"
                        rows="10"
                        spellcheck="false"
                        aria-describedby="batch-csv-hint"
                        prop:value=move || csv.get()
                        on:input=move |ev| csv.set(event_target_value(&ev))
                    ></textarea>
                    <p id="batch-csv-hint" class="hint">{t!(i18n, admin_batch_hint)}</p>
                </div>
                <FormAlert message=error/>
                {move || {
                    let rows = row_errors();
                    (!rows.is_empty()).then(|| view! {
                        <ul class="row-errors" aria-label=move || t_string!(i18n, admin_batch_row_errors)>
                            {rows.into_iter().map(|r| {
                                let err = shared::AppError { field: r.field, ..shared::AppError::new(r.code) };
                                let field = r.field.map(|f| format!(" ({})", f.as_str())).unwrap_or_default();
                                view! { <li>{t_string!(i18n, admin_batch_line, line = r.line).to_string()} {field} ": " {error_text(i18n, &err)}</li> }
                            }).collect_view()}
                        </ul>
                    })
                }}
                <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { t_string!(i18n, admin_batch_pending) } else { t_string!(i18n, admin_batch_submit) }}
                </button>
            </ActionForm>
            {move || match action.value().get() {
                Some(Ok(done)) => Some(view! {
                    <p class="form-success" role="status">{t_string!(i18n, admin_batch_done, count = done.users.len()).to_string()}</p>
                    <div class="table-wrap">
                        <table class="data-table">
                            <thead><tr>
                                <th scope="col">{t!(i18n, admin_col_id)}</th>
                                <th scope="col">{t!(i18n, admin_col_name)}</th>
                                <th scope="col">{t!(i18n, profile_email)}</th>
                                <th scope="col">{t!(i18n, profile_phone)}</th>
                                <th scope="col">{t!(i18n, admin_col_created)}</th>
                            </tr></thead>
                            <tbody>
                                {done.users.into_iter().map(|u| {
                                    let label = u.label();
                                    view! {
                                        <tr>
                                            <td>{u.id}</td>
                                            <td><A href=format!("/admin/users/{}", u.id)>{label}</A></td>
                                            <td>{u.email.unwrap_or_default()}</td>
                                            <td>{u.phone.unwrap_or_default()}</td>
                                            <td>{short_time(&u.created_at)}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }),
                _ => None,
            }}
        </section>
    }
    .into_any()
}
