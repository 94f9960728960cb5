//! `/admin`: find users by id list, name, email, phone or username.

use super::{load_error, short_time, status_class, status_label, AdminNav};
use crate::admin_api::admin_search;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;
use shared::admin::{UserPage, UserSort};
use shared::profile::Role;

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let param = move |name: &str| query.with(|q| q.get(name).unwrap_or_default());
    let q = Signal::derive(move || param("q"));
    let sort = Signal::derive(move || param("sort"));
    let page = Signal::derive(move || param("page").parse::<u32>().unwrap_or(1).max(1));
    let results = Resource::new_blocking(
        move || (q.get(), sort.get(), page.get()),
        |(q, sort, page)| admin_search(q, sort, page),
    );
    view! {
        <section class="card wide-card admin-card" aria-labelledby="admin-title">
            <h1 id="admin-title">{t!(i18n, admin_title)}</h1>
            <AdminNav/>
            <Form method="GET" action="/admin" attr:class="search-form" attr:role="search">
                <div class="field">
                    <label for="admin-q">{t!(i18n, admin_search_label)}</label>
                    <input id="admin-q" name="q" type="search" prop:value=q aria-describedby="admin-q-hint"/>
                    <p id="admin-q-hint" class="hint">{t!(i18n, admin_search_hint)}</p>
                </div>
                <div class="field">
                    <label for="admin-sort">{t!(i18n, admin_sort_label)}</label>
                    <select id="admin-sort" name="sort">
                        {UserSort::ALL.into_iter().map(|s| {
                            let label = match s {
                                UserSort::Newest => t_string!(i18n, admin_sort_newest),
                                UserSort::Oldest => t_string!(i18n, admin_sort_oldest),
                                UserSort::Name => t_string!(i18n, admin_sort_name),
                            };
                            view! { <option value=s.as_str() selected=move || sort.get() == s.as_str()>{label}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="btn btn-primary">{t!(i18n, admin_search_submit)}</button>
            </Form>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match results.await {
                        Ok(page) => view! { <UserTable page=page q=q.get_untracked() sort=sort.get_untracked()/> }.into_any(),
                        Err(e) => load_error(e, "/admin"),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn UserTable(page: UserPage, q: String, sort: String) -> impl IntoView {
    let i18n = use_i18n();
    let pages = page.total.div_ceil(u64::from(page.per_page)).max(1);
    let link = move |to: u32| {
        format!(
            "/admin?q={}&sort={}&page={to}",
            query_value(&q),
            query_value(&sort)
        )
    };
    let prev = (page.page > 1).then(|| link(page.page - 1));
    let next = (u64::from(page.page) < pages).then(|| link(page.page + 1));
    let count = t_string!(i18n, admin_found, count = page.total).to_string();
    if page.users.is_empty() {
        return view! {
            <p class="muted" role="status">{t!(i18n, admin_no_users)}</p>
        }
        .into_any();
    }
    view! {
        <p class="muted" role="status">{count}</p>
        <div class="table-wrap">
            <table class="data-table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, admin_col_id)}</th>
                        <th scope="col">{t!(i18n, admin_col_name)}</th>
                        <th scope="col">{t!(i18n, profile_email)}</th>
                        <th scope="col">{t!(i18n, profile_phone)}</th>
                        <th scope="col">{t!(i18n, admin_col_status)}</th>
                        <th scope="col">{t!(i18n, admin_col_created)}</th>
                    </tr>
                </thead>
                <tbody>
                    {page.users.into_iter().map(|u| {
                        let href = format!("/admin/users/{}", u.id);
                        let label = u.label();
                        view! {
                            <tr>
                                <td>{u.id}</td>
                                <td class="wrap"><A href=href>{label}</A>{(u.role != Role::User).then(|| view! { " " <span class="badge badge-neutral">{u.role.as_str()}</span> })}{u.exact.then(|| view! { " " <span class="badge badge-ok">{t!(i18n, admin_exact_match)}</span> })}</td>
                                <td class="wrap">{u.email.unwrap_or_default()}</td>
                                <td>{u.phone.unwrap_or_default()}</td>
                                <td><span class=status_class(u.account_state)>{status_label(i18n, u.account_state)}</span></td>
                                <td>{short_time(&u.created_at)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label=move || t_string!(i18n, admin_pages)>
            {prev.map(|href| view! { <A href=href attr:class="btn btn-ghost">{t!(i18n, admin_prev)}</A> })}
            <span class="muted">{t_string!(i18n, admin_page_of, page = page.page, pages = pages).to_string()}</span>
            {next.map(|href| view! { <A href=href attr:class="btn btn-ghost">{t!(i18n, admin_next)}</A> })}
        </nav>
    }
    .into_any()
}

/// A query-string value, percent-encoded.
pub fn query_value(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}
