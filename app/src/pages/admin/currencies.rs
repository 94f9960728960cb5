//! `/admin/currencies`: the wallet's currencies, for super admins: add one,
//! edit its names, scale and aliases (`?edit=CODE`), enable or disable it.

use super::{action_error, load_error, AdminNav};
use crate::components::form_alert::FormAlert;
use crate::currency_admin_api::{
    admin_currencies, AdminAddCurrency, AdminEditCurrency, AdminSwitchCurrency,
};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use shared::currency::CurrencyDetail;
use shared::ErrorCode;

/// The page's three actions; the list reloads after each.
#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AdminAddCurrency>,
    edit: ServerAction<AdminEditCurrency>,
    switch: ServerAction<AdminSwitchCurrency>,
}

#[component]
pub fn AdminCurrenciesPage() -> impl IntoView {
    let i18n = use_i18n();
    let actions = Actions {
        add: ServerAction::new(),
        edit: ServerAction::new(),
        switch: ServerAction::new(),
    };
    let query = use_query_map();
    let editing = Signal::derive(move || query.with(|q| q.get("edit")).unwrap_or_default());
    // Reloaded after each change, and when an editor opens: whether the
    // scale is fixed may have changed since (money moves elsewhere).
    let list = Resource::new_blocking(
        move || {
            (
                actions.add.version().get(),
                actions.edit.version().get(),
                actions.switch.version().get(),
                editing.get(),
            )
        },
        |_| admin_currencies(),
    );
    view! {
        <section class="card wide-card admin-card" aria-labelledby="currencies-title">
            <h1 id="currencies-title">{t!(i18n, admin_currencies_title)}</h1>
            <AdminNav/>
            <p class="lead">{t!(i18n, admin_currencies_lead)}</p>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(rows) => {
                            let edited = rows
                                .iter()
                                .find(|d| d.currency.code == editing.get())
                                .cloned();
                            view! {
                                <CurrencyTable rows=rows actions=actions/>
                                {edited.map(|d| view! { <EditForm detail=d action=actions.edit/> })}
                                <AddForm action=actions.add/>
                            }
                            .into_any()
                        }
                        // Staff who are not super admins: say which role it takes.
                        Err(e) if e.code == ErrorCode::Forbidden => view! {
                            <p class="form-alert" role="alert">{t!(i18n, admin_currencies_forbidden)}</p>
                        }
                        .into_any(),
                        Err(e) => load_error(e, "/admin/currencies"),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn CurrencyTable(rows: Vec<CurrencyDetail>, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let switched = move || {
        actions.switch.value().get().and_then(Result::ok).map(|c| {
            let state = if c.enabled {
                t_string!(i18n, admin_currency_enabled)
            } else {
                t_string!(i18n, admin_currency_disabled)
            };
            t_string!(i18n, admin_currency_switched, code = c.code, state = state).to_string()
        })
    };
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <thead><tr>
                    <th scope="col">{t!(i18n, admin_currency_code)}</th>
                    <th scope="col">{t!(i18n, admin_currency_name)}</th>
                    <th scope="col">{t!(i18n, admin_currency_col_name_zh)}</th>
                    <th scope="col">{t!(i18n, admin_currency_scale)}</th>
                    <th scope="col">{t!(i18n, admin_currency_col_aliases)}</th>
                    <th scope="col">{t!(i18n, admin_currency_state)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, admin_currency_edit)}</span></th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|d| {
                        let c = d.currency;
                        let code = c.code.clone();
                        let aliases = if c.aliases.is_empty() {
                            t_string!(i18n, admin_currency_no_aliases).to_string()
                        } else {
                            c.aliases.join(", ")
                        };
                        let (state, badge) = if c.enabled {
                            (t_string!(i18n, admin_currency_enabled), "badge badge-ok")
                        } else {
                            (t_string!(i18n, admin_currency_disabled), "badge badge-warn")
                        };
                        let switch_label = if c.enabled {
                            t_string!(i18n, admin_currency_disable_label, code = code.clone()).to_string()
                        } else {
                            t_string!(i18n, admin_currency_enable_label, code = code.clone()).to_string()
                        };
                        view! {
                            <tr>
                                <td><code>{code.clone()}</code></td>
                                <td>{c.name.clone()}</td>
                                <td>{c.name_zh.clone().unwrap_or_default()}</td>
                                <td class="num">{c.scale}</td>
                                <td>{aliases}</td>
                                <td><span class=badge>{state}</span></td>
                                <td class="row-actions">
                                    <A
                                        href=format!("/admin/currencies?edit={code}")
                                        attr:class="btn btn-ghost"
                                        attr:aria-label=t_string!(i18n, admin_currency_edit_label, code = code.clone()).to_string()
                                    >
                                        {t!(i18n, admin_currency_edit)}
                                    </A>
                                    <ActionForm action=actions.switch attr:class="inline-form">
                                        <input type="hidden" name="code" value=code.clone()/>
                                        <input type="hidden" name="enabled" value=if c.enabled { "false" } else { "true" }/>
                                        <button
                                            type="submit"
                                            class=if c.enabled { "btn btn-danger" } else { "btn btn-ghost" }
                                            aria-label=switch_label
                                        >
                                            {if c.enabled {
                                                t_string!(i18n, admin_currency_disable)
                                            } else {
                                                t_string!(i18n, admin_currency_enable)
                                            }}
                                        </button>
                                    </ActionForm>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <FormAlert message=action_error(actions.switch)/>
        <p class="form-success" role="status">{switched}</p>
    }
}

#[component]
fn AddForm(action: ServerAction<AdminAddCurrency>) -> impl IntoView {
    let i18n = use_i18n();
    let added = move || {
        action
            .value()
            .get()
            .and_then(Result::ok)
            .map(|c| t_string!(i18n, admin_currency_added, code = c.code).to_string())
    };
    view! {
        <h2 id="currency-add-title">{t!(i18n, admin_currency_add_title)}</h2>
        <ActionForm action=action attr:class="stack-form" attr:novalidate=true attr:aria-labelledby="currency-add-title">
            <div class="field">
                <label for="currency-code">{t!(i18n, admin_currency_code)}</label>
                <input id="currency-code" name="code" autocomplete="off" spellcheck="false"
                    aria-describedby="currency-code-hint" maxlength="10"/>
                <p id="currency-code-hint" class="hint">{t!(i18n, admin_currency_code_hint)}</p>
            </div>
            <div class="field">
                <label for="currency-name">{t!(i18n, admin_currency_name)}</label>
                <input id="currency-name" name="name" autocomplete="off" maxlength="64"/>
            </div>
            <div class="field">
                <label for="currency-name-zh">{t!(i18n, admin_currency_name_zh)}</label>
                <input id="currency-name-zh" name="name_zh" autocomplete="off" maxlength="64"/>
            </div>
            <div class="field">
                <label for="currency-scale">{t!(i18n, admin_currency_scale)}</label>
                <input id="currency-scale" name="scale" type="number" min="0" max="8" step="1"
                    inputmode="numeric" value="2" aria-describedby="currency-scale-hint"/>
                <p id="currency-scale-hint" class="hint">{t!(i18n, admin_currency_scale_hint)}</p>
            </div>
            <div class="field">
                <label for="currency-aliases">{t!(i18n, admin_currency_aliases)}</label>
                <input id="currency-aliases" name="aliases" autocomplete="off" spellcheck="false"
                    aria-describedby="currency-aliases-hint"/>
                <p id="currency-aliases-hint" class="hint">{t!(i18n, admin_currency_aliases_hint)}</p>
            </div>
            <FormAlert message=action_error(action)/>
            <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                {move || if action.pending().get() {
                    t_string!(i18n, admin_currency_adding)
                } else {
                    t_string!(i18n, admin_currency_add)
                }}
            </button>
            <p class="form-success" role="status">{added}</p>
        </ActionForm>
    }
}

#[component]
fn EditForm(detail: CurrencyDetail, action: ServerAction<AdminEditCurrency>) -> impl IntoView {
    let i18n = use_i18n();
    let c = detail.currency;
    let code = c.code.clone();
    let saved = move || {
        action
            .value()
            .get()
            .and_then(Result::ok)
            .map(|c| t_string!(i18n, admin_currency_saved, code = c.code).to_string())
    };
    let scale_hint = if detail.scale_locked {
        t_string!(i18n, admin_currency_scale_fixed)
    } else {
        t_string!(i18n, admin_currency_scale_hint)
    };
    view! {
        <h2 id="currency-edit-title">{t_string!(i18n, admin_currency_edit_title, code = code.clone()).to_string()}</h2>
        <ActionForm action=action attr:class="stack-form" attr:novalidate=true attr:aria-labelledby="currency-edit-title">
            <input type="hidden" name="code" value=code.clone()/>
            <div class="field">
                <label for="edit-currency-name">{t!(i18n, admin_currency_name)}</label>
                <input id="edit-currency-name" name="name" autocomplete="off" maxlength="64" value=c.name.clone()/>
            </div>
            <div class="field">
                <label for="edit-currency-name-zh">{t!(i18n, admin_currency_name_zh)}</label>
                <input id="edit-currency-name-zh" name="name_zh" autocomplete="off" maxlength="64"
                    value=c.name_zh.clone().unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="edit-currency-scale">{t!(i18n, admin_currency_scale)}</label>
                <input id="edit-currency-scale" name="scale" type="number" min="0" max="8" step="1"
                    inputmode="numeric" value=c.scale.to_string() disabled=detail.scale_locked
                    aria-describedby="edit-currency-scale-hint"/>
                <p id="edit-currency-scale-hint" class="hint">{scale_hint}</p>
            </div>
            <div class="field">
                <label for="edit-currency-aliases">{t!(i18n, admin_currency_aliases)}</label>
                <input id="edit-currency-aliases" name="aliases" autocomplete="off" spellcheck="false"
                    value=c.aliases.join(", ") aria-describedby="edit-currency-aliases-hint"/>
                <p id="edit-currency-aliases-hint" class="hint">{t!(i18n, admin_currency_aliases_hint)}</p>
            </div>
            <FormAlert message=action_error(action)/>
            <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                {move || if action.pending().get() {
                    t_string!(i18n, admin_currency_saving)
                } else {
                    t_string!(i18n, admin_currency_save)
                }}
            </button>
            <p class="form-success" role="status">{saved}</p>
        </ActionForm>
    }
}
