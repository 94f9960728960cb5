//! `/admin/audit`: the audit log, newest first, filtered by action, actor
//! and target.

use super::users::query_value;
use super::{load_error, short_time, AdminNav};
use crate::admin_api::admin_audit;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;
use shared::admin::{AuditAction, AuditPage};

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let param = move |name: &str| query.with(|q| q.get(name).unwrap_or_default());
    let action = Signal::derive(move || param("action"));
    let actor = Signal::derive(move || param("actor"));
    let target = Signal::derive(move || param("target"));
    let before = Signal::derive(move || param("before").parse::<i64>().ok());
    let page = Resource::new_blocking(
        move || (action.get(), actor.get(), target.get(), before.get()),
        |(action, actor, target, before)| admin_audit(action, actor, target, before),
    );
    view! {
        <section class="card wide-card admin-card" aria-labelledby="audit-title">
            <h1 id="audit-title">{t!(i18n, admin_audit_title)}</h1>
            <AdminNav/>
            <Form method="GET" action="/admin/audit" attr:class="search-form">
                <div class="field">
                    <label for="audit-action">{t!(i18n, admin_col_action)}</label>
                    <select id="audit-action" name="action">
                        <option value="">{t!(i18n, admin_all_actions)}</option>
                        {AuditAction::ALL.into_iter().map(|a| view! {
                            <option value=a.as_str() selected=move || action.get() == a.as_str()>{a.as_str()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="audit-actor">{t!(i18n, admin_actor_id)}</label>
                    <input id="audit-actor" name="actor" inputmode="numeric" prop:value=actor/>
                </div>
                <div class="field">
                    <label for="audit-target">{t!(i18n, admin_target_id)}</label>
                    <input id="audit-target" name="target" inputmode="numeric" prop:value=target/>
                </div>
                <button type="submit" class="btn btn-primary">{t!(i18n, admin_filter)}</button>
            </Form>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => {
                            let next = p.next_before.map(|b| format!(
                                "/admin/audit?action={}&actor={}&target={}&before={b}",
                                query_value(&action.get_untracked()),
                                query_value(&actor.get_untracked()),
                                query_value(&target.get_untracked()),
                            ));
                            view! { <AuditTable page=p next=next/> }.into_any()
                        }
                        Err(e) => load_error(e, "/admin/audit"),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn AuditTable(page: AuditPage, next: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    if page.entries.is_empty() {
        return view! { <p class="muted" role="status">{t!(i18n, admin_no_audit)}</p> }.into_any();
    }
    let who = |id: Option<i64>, label: Option<String>| match id {
        Some(id) => {
            let text = label.unwrap_or_else(|| format!("#{id}"));
            view! { <A href=format!("/admin/users/{id}")>{text}</A> }.into_any()
        }
        None => view! { <span class="muted">"—"</span> }.into_any(),
    };
    view! {
        <div class="table-wrap">
            <table class="data-table audit-table">
                <thead><tr>
                    <th scope="col">{t!(i18n, admin_col_time)}</th>
                    <th scope="col">{t!(i18n, admin_col_action_details)}</th>
                    <th scope="col">{t!(i18n, admin_col_actor)}</th>
                    <th scope="col">{t!(i18n, admin_col_target)}</th>
                    <th scope="col">{t!(i18n, admin_col_ip)}</th>
                </tr></thead>
                <tbody>
                    {page.entries.into_iter().map(|e| view! {
                        <tr>
                            <td>{short_time(&e.at)}</td>
                            <td class="details-cell">
                                <code class="audit-action">{e.action.as_str()}</code>
                                {readable_details(&e.details)}
                            </td>
                            <td>{match e.actor_app.clone() {
                                Some(app) => view! { <span>{format!("app:{app}")}</span> }.into_any(),
                                None => who(e.actor_id, e.actor_label.clone()),
                            }}</td>
                            <td>{who(e.target_id, e.target_label.clone())}</td>
                            <td>{e.ip.clone().unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {next.map(|href| view! {
            <nav class="pager" aria-label=move || t_string!(i18n, admin_pages)>
                <A href=href attr:class="btn btn-ghost">{t!(i18n, admin_older)}</A>
            </nav>
        })}
    }
    .into_any()
}

/// The details object as `key: value` pairs, one per line, for reading;
/// anything that is not a JSON object is shown as it is.
fn readable_details(json: &str) -> String {
    match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(json) {
        Ok(map) => map
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Err(_) => json.to_string(),
    }
}
