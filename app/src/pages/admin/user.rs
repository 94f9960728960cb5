//! `/admin/users/:id`: one user's profile, states, sessions, devices,
//! balances and recent ledger rows, with the staff actions on them.

use super::{action_error, load_error, short_time, status_class, status_label, AdminNav};
use crate::admin_api::{
    admin_user, AdminAdjustBalance, AdminCloseAccount, AdminRevealIdNumber, AdminReview,
    AdminRevokeSessions, AdminSendMessage, AdminSetFrozen, AdminSetPermissions, AdminSetRole,
    AdminUnlock, AdminUnlockPayments,
};
use crate::components::form_alert::FormAlert;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::admin::UserDetail;
use shared::profile::{AccountState, Role, Verification, VerificationKind, VerificationState};
use shared::AppError;

/// The actions of the page: each bumps `changed` when it succeeds, so the
/// details reload.
#[derive(Clone, Copy)]
struct Actions {
    frozen: ServerAction<AdminSetFrozen>,
    unlock: ServerAction<AdminUnlock>,
    unlock_payments: ServerAction<AdminUnlockPayments>,
    revoke: ServerAction<AdminRevokeSessions>,
    permissions: ServerAction<AdminSetPermissions>,
    role: ServerAction<AdminSetRole>,
    adjust: ServerAction<AdminAdjustBalance>,
    message: ServerAction<AdminSendMessage>,
    close: ServerAction<AdminCloseAccount>,
    review: ServerAction<AdminReview>,
}

/// Reloads `changed` after every successful answer of `action`.
fn reload_after<S>(action: ServerAction<S>, changed: RwSignal<u32>)
where
    S: ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            changed.update(|n| *n += 1);
        }
    });
}

/// A polite "done" line after `action` succeeded.
fn done_note<S>(action: ServerAction<S>, text: &'static str) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    view! {
        <p class="form-success" role="status">
            {move || matches!(action.value().get(), Some(Ok(_))).then_some(text)}
        </p>
    }
}

#[component]
pub fn AdminUserPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = Signal::derive(move || {
        params
            .with(|p| p.get("id"))
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let changed = RwSignal::new(0u32);
    let actions = Actions {
        frozen: ServerAction::new(),
        unlock: ServerAction::new(),
        unlock_payments: ServerAction::new(),
        revoke: ServerAction::new(),
        permissions: ServerAction::new(),
        role: ServerAction::new(),
        adjust: ServerAction::new(),
        message: ServerAction::new(),
        close: ServerAction::new(),
        review: ServerAction::new(),
    };
    reload_after(actions.frozen, changed);
    reload_after(actions.unlock, changed);
    reload_after(actions.unlock_payments, changed);
    reload_after(actions.revoke, changed);
    reload_after(actions.permissions, changed);
    reload_after(actions.role, changed);
    reload_after(actions.adjust, changed);
    reload_after(actions.close, changed);
    reload_after(actions.review, changed);
    let detail =
        Resource::new_blocking(move || (id.get(), changed.get()), |(id, _)| admin_user(id));
    view! {
        <section class="card wide-card admin-card" aria-labelledby="admin-user-title">
            <p class="back-link"><A href="/admin">{t!(i18n, admin_back_to_users)}</A></p>
            <AdminNav/>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    let here = format!("/admin/users/{}", id.get_untracked());
                    match detail.await {
                        Ok(d) => view! { <UserDetailView detail=d actions=actions/> }.into_any(),
                        Err(e) => view! {
                            <h1 id="admin-user-title">{t!(i18n, admin_user_title)}</h1>
                            {load_error(e, &here)}
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

/// The full ID number on request, with the reason the audit log records.
#[component]
fn RevealIdNumber(user_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let reveal = ServerAction::<AdminRevealIdNumber>::new();
    view! {
        <ActionForm action=reveal attr:class="stack-form reveal-form" attr:novalidate=true>
            <input type="hidden" name="user_id" value=user_id/>
            <div class="field">
                <label for="reveal-reason">{t!(i18n, admin_reveal_reason)}</label>
                <input id="reveal-reason" name="reason" autocomplete="off" aria-describedby="reveal-hint"/>
                <p class="hint" id="reveal-hint">{t!(i18n, admin_reveal_hint)}</p>
            </div>
            <FormAlert message=action_error(reveal)/>
            <button type="submit" class="btn btn-ghost">{t!(i18n, admin_reveal)}</button>
            <p class="form-success" role="status">
                {move || match reveal.value().get() {
                    Some(Ok(number)) => Some(view! {
                        {t!(i18n, admin_revealed)} " " <strong data-testid="revealed-id-number">{number}</strong>
                    }),
                    _ => None,
                }}
            </p>
        </ActionForm>
    }
}

#[component]
fn UserDetailView(detail: UserDetail, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let p = detail.profile.clone();
    let uid = p.id;
    let title = if p.short_name().is_empty() {
        format!("#{uid}")
    } else {
        format!("{} (#{uid})", p.short_name())
    };
    let state = p.account_state;
    let frozen = state == AccountState::Frozen;
    let closed = state == AccountState::Closed;
    let pre_opened = state == AccountState::PreOpened;
    let perms = detail.permissions;
    let locked_until = detail.locked_until;
    let payments_locked = detail.payments_locked_until.is_some();
    let dash = || view! { <span class="muted">"—"</span> }.into_any();
    let text_or_dash = move |v: Option<String>| match v {
        Some(v) => view! { {v} }.into_any(),
        None => dash(),
    };
    let has_number =
        p.id_number_masked.is_some() || detail.verifications.real_name.id_number_masked.is_some();
    let request_id = detail.adjust_request_id.clone();
    let currencies: Vec<String> = detail.balances.iter().map(|b| b.currency.clone()).collect();
    let preferred = crate::pages::wallet::default_currency(&detail.balances);
    view! {
        <h1 id="admin-user-title">{title}</h1>
        <p class="badges">
            <span class=status_class(state)>{status_label(i18n, state)}</span>
            " "
            <span class="badge badge-neutral">{detail.role.as_str()}</span>
            {locked_until.map(|_| view! { " " <span class="badge badge-warn">{t!(i18n, admin_login_locked)}</span> })}
            {payments_locked.then(|| view! { " " <span class="badge badge-warn">{t!(i18n, admin_payments_locked)}</span> })}
            {(!perms.allow_login).then(|| view! { " " <span class="badge badge-warn">{t!(i18n, admin_login_disabled)}</span> })}
        </p>
        <div class="admin-grid">
            <section aria-labelledby="admin-profile-h">
                <h2 id="admin-profile-h">{t!(i18n, admin_profile_heading)}</h2>
                <dl class="details">
                    <dt>{t!(i18n, profile_email)}</dt>
                    <dd>{text_or_dash(p.email.clone())}</dd>
                    <dt>{t!(i18n, profile_phone)}</dt>
                    <dd>{text_or_dash(p.phone.clone())}</dd>
                    <dt>{t!(i18n, profile_username)}</dt>
                    <dd>{text_or_dash(p.username.clone())}</dd>
                    <dt>{t!(i18n, profile_display_name)}</dt>
                    <dd>{text_or_dash(p.display_name.clone())}</dd>
                    <dt>{t!(i18n, profile_real_name)}</dt>
                    <dd>{text_or_dash(p.real_name.clone())}</dd>
                    <dt>{t!(i18n, profile_id_document)}</dt>
                    <dd data-testid="admin-id-number">{text_or_dash(p.id_number_masked.clone())}</dd>
                    <dt>{t!(i18n, admin_col_created)}</dt>
                    <dd>{short_time(&p.created_at)}</dd>
                    {detail.closed_reason.clone().map(|r| view! {
                        <dt>{t!(i18n, admin_closed_reason)}</dt>
                        <dd>{r}</dd>
                    })}
                </dl>
                {has_number.then(|| view! { <RevealIdNumber user_id=uid/> })}
            </section>
            <section aria-labelledby="admin-account-h">
                <h2 id="admin-account-h">{t!(i18n, admin_account_heading)}</h2>
                <div class="action-row">
                    <ActionForm action=actions.frozen attr:class="inline-form">
                        <input type="hidden" name="user_id" value=uid/>
                        <input type="hidden" name="frozen" value=if frozen { "false" } else { "true" }/>
                        <button type="submit" class=if frozen { "btn btn-ghost" } else { "btn btn-danger" } disabled=closed || pre_opened>
                            {if frozen { t_string!(i18n, admin_unfreeze) } else { t_string!(i18n, admin_freeze) }}
                        </button>
                    </ActionForm>
                    <ActionForm action=actions.unlock attr:class="inline-form">
                        <input type="hidden" name="user_id" value=uid/>
                        <button type="submit" class="btn btn-ghost">{t!(i18n, admin_unlock)}</button>
                    </ActionForm>
                    <ActionForm action=actions.revoke attr:class="inline-form">
                        <input type="hidden" name="user_id" value=uid/>
                        <button type="submit" class="btn btn-ghost">{t!(i18n, admin_revoke_sessions)}</button>
                    </ActionForm>
                    <ActionForm action=actions.unlock_payments attr:class="inline-form">
                        <input type="hidden" name="user_id" value=uid/>
                        <button type="submit" class="btn btn-ghost">{t!(i18n, admin_unlock_payments)}</button>
                    </ActionForm>
                </div>
                {pre_opened.then(|| view! { <super::open::ResendActivation user_id=uid/> })}
                <FormAlert message=action_error(actions.frozen)/>
                <FormAlert message=action_error(actions.unlock)/>
                <FormAlert message=action_error(actions.revoke)/>
                <FormAlert message=action_error(actions.unlock_payments)/>
                {done_note(actions.unlock, t_string!(i18n, admin_unlocked))}
                {done_note(actions.unlock_payments, t_string!(i18n, admin_payments_unlocked))}
                {done_note(actions.revoke, t_string!(i18n, admin_sessions_revoked))}

                <h3>{t!(i18n, admin_permissions)}</h3>
                <ActionForm action=actions.permissions attr:class="stack-form">
                    <input type="hidden" name="user_id" value=uid/>
                    <label class="check"><input type="checkbox" name="allow_login" value="on" checked=perms.allow_login/>" " {t!(i18n, admin_allow_login)}</label>
                    <label class="check"><input type="checkbox" name="allow_transfer" value="on" checked=perms.allow_transfer/>" " {t!(i18n, admin_allow_transfer)}</label>
                    <label class="check"><input type="checkbox" name="allow_withdraw" value="on" checked=perms.allow_withdraw/>" " {t!(i18n, admin_allow_withdraw)}</label>
                    <FormAlert message=action_error(actions.permissions)/>
                    <button type="submit" class="btn btn-primary">{t!(i18n, admin_save_permissions)}</button>
                    {done_note(actions.permissions, t_string!(i18n, admin_saved))}
                </ActionForm>

                <ActionForm action=actions.role attr:class="stack-form">
                    <input type="hidden" name="user_id" value=uid/>
                    <div class="field">
                        <label for="admin-role">{t!(i18n, admin_role)}</label>
                        <select id="admin-role" name="role">
                            {Role::ALL.into_iter().map(|r| {
                                let selected = detail.role == r;
                                view! { <option value=r.as_str() selected=selected>{r.as_str()}</option> }
                            }).collect_view()}
                        </select>
                        <p class="hint">{t!(i18n, admin_role_hint)}</p>
                    </div>
                    <FormAlert message=action_error(actions.role)/>
                    <button type="submit" class="btn btn-ghost">{t!(i18n, admin_set_role)}</button>
                </ActionForm>
            </section>
        </div>

        <section aria-labelledby="admin-verify-h">
            <h2 id="admin-verify-h">{t!(i18n, admin_verifications)}</h2>
            <FormAlert message=action_error(actions.review)/>
            <div class="admin-grid">
                <VerificationBox user_id=uid v=detail.verifications.real_name.clone() action=actions.review/>
                <VerificationBox user_id=uid v=detail.verifications.qualification.clone() action=actions.review/>
            </div>
        </section>

        <section aria-labelledby="admin-money-h">
            <h2 id="admin-money-h">{t!(i18n, admin_balances)}</h2>
            <div class="table-wrap">
                <table class="data-table">
                    <thead><tr>
                        <th scope="col">{t!(i18n, admin_col_currency)}</th>
                        <th scope="col">{t!(i18n, wallet_available)}</th>
                        <th scope="col">{t!(i18n, wallet_frozen)}</th>
                    </tr></thead>
                    <tbody>
                        {detail.balances.iter().map(|b| view! {
                            <tr><td>{b.currency.clone()}</td><td class="num">{b.available.clone()}</td><td class="num">{b.frozen.clone()}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <h3>{t!(i18n, admin_adjust)}</h3>
            <ActionForm action=actions.adjust attr:class="stack-form adjust-form" attr:novalidate=true>
                <input type="hidden" name="user_id" value=uid/>
                <input type="hidden" name="request_id" value=request_id/>
                <div class="form-row">
                    <div class="field">
                        <label for="adjust-direction">{t!(i18n, admin_direction)}</label>
                        <select id="adjust-direction" name="direction">
                            <option value="deposit">{t!(i18n, admin_deposit)}</option>
                            <option value="withdraw">{t!(i18n, admin_withdraw)}</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="adjust-currency">{t!(i18n, admin_col_currency)}</label>
                        <select id="adjust-currency" name="currency">
                            {currencies.into_iter().map(|c| {
                                let selected = c == preferred;
                                view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="adjust-amount">{t!(i18n, admin_amount)}</label>
                        <input id="adjust-amount" name="amount" inputmode="decimal" autocomplete="off"/>
                    </div>
                </div>
                <div class="field">
                    <label for="adjust-reason">{t!(i18n, admin_reason)}</label>
                    <input id="adjust-reason" name="reason" autocomplete="off"/>
                </div>
                <FormAlert message=action_error(actions.adjust)/>
                <button type="submit" class="btn btn-primary">{t!(i18n, admin_apply_adjustment)}</button>
                <p class="form-success" role="status">
                    {move || match actions.adjust.value().get() {
                        Some(Ok(r)) => Some(t_string!(i18n, admin_adjusted, amount = r.amount.clone(), currency = r.currency.clone(), balance = r.balance.available.clone()).to_string()),
                        _ => None,
                    }}
                </p>
            </ActionForm>

            <h3>{t!(i18n, admin_recent)}</h3>
            {if detail.recent.is_empty() {
                view! { <p class="muted">{t!(i18n, admin_no_ledger)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table">
                            <thead><tr>
                                <th scope="col">{t!(i18n, admin_col_time)}</th>
                                <th scope="col">{t!(i18n, admin_col_kind)}</th>
                                <th scope="col">{t!(i18n, admin_col_currency)}</th>
                                <th scope="col">{t!(i18n, admin_amount)}</th>
                                <th scope="col">{t!(i18n, admin_reason)}</th>
                            </tr></thead>
                            <tbody>
                                {detail.recent.iter().map(|(currency, item)| view! {
                                    <tr>
                                        <td>{short_time(&item.created_at)}</td>
                                        <td>{item.kind.as_str()}</td>
                                        <td>{currency.clone()}</td>
                                        <td class="num">{item.amount.clone()}</td>
                                        <td>{item.memo.clone().unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>

        <div class="admin-grid">
            <section aria-labelledby="admin-sessions-h">
                <h2 id="admin-sessions-h">{t!(i18n, admin_sessions)}</h2>
                {if detail.sessions.is_empty() {
                    view! { <p class="muted">{t!(i18n, admin_no_sessions)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain-list">
                            {detail.sessions.iter().map(|s| view! {
                                <li>{s.label.clone()} " · " {s.ip.clone().unwrap_or_default()} " · " {short_time(&s.last_seen_at)}</li>
                            }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }}
                <h2>{t!(i18n, admin_devices)}</h2>
                {if detail.devices.is_empty() {
                    view! { <p class="muted">{t!(i18n, admin_no_devices)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain-list">
                            {detail.devices.iter().map(|d| view! {
                                <li>{d.name.clone()} " · " {d.os.clone()}</li>
                            }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }}
            </section>
            <section aria-labelledby="admin-message-h">
                <h2 id="admin-message-h">{t!(i18n, admin_message)}</h2>
                <ActionForm action=actions.message attr:class="stack-form" attr:novalidate=true>
                    <input type="hidden" name="user_id" value=uid/>
                    <div class="field">
                        <label for="message-channel">{t!(i18n, admin_channel)}</label>
                        <select id="message-channel" name="channel">
                            <option value="email">{t!(i18n, profile_email)}</option>
                            <option value="sms">{t!(i18n, admin_sms)}</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="message-subject">{t!(i18n, admin_subject)}</label>
                        <input id="message-subject" name="subject" autocomplete="off"/>
                    </div>
                    <div class="field">
                        <label for="message-text">{t!(i18n, admin_message_text)}</label>
                        <textarea id="message-text" name="text" rows="4"></textarea>
                    </div>
                    <FormAlert message=action_error(actions.message)/>
                    <button type="submit" class="btn btn-primary">{t!(i18n, admin_send)}</button>
                    {done_note(actions.message, t_string!(i18n, admin_message_sent))}
                </ActionForm>
            </section>
        </div>

        {(!closed).then(|| view! {
            <section aria-labelledby="admin-close-h" class="danger-zone">
                <h2 id="admin-close-h">{t!(i18n, admin_close)}</h2>
                <ActionForm action=actions.close attr:class="stack-form" attr:novalidate=true>
                    <input type="hidden" name="user_id" value=uid/>
                    <div class="field">
                        <label for="close-reason-staff">{t!(i18n, admin_close_reason)}</label>
                        <input id="close-reason-staff" name="reason" autocomplete="off"/>
                    </div>
                    <div class="field">
                        <label for="close-authoriser">{t!(i18n, admin_authorised_by)}</label>
                        <input id="close-authoriser" name="authorised_by" inputmode="numeric" autocomplete="off"/>
                    </div>
                    <FormAlert message=action_error(actions.close)/>
                    <button type="submit" class="btn btn-danger">{t!(i18n, admin_close_submit)}</button>
                </ActionForm>
            </section>
        })}
    }
    .into_any()
}

/// One verification with approve / reject while it is pending.
#[component]
fn VerificationBox(
    user_id: i64,
    v: Verification,
    action: ServerAction<AdminReview>,
) -> impl IntoView {
    let i18n = use_i18n();
    let kind = match v.kind {
        VerificationKind::RealName => "real_name",
        VerificationKind::Qualification => "qualification",
    };
    let heading = match v.kind {
        VerificationKind::RealName => t_string!(i18n, admin_real_name_review),
        VerificationKind::Qualification => t_string!(i18n, admin_qualification_review),
    };
    let state = crate::components::profile_forms::verification_label(i18n, v.state);
    let pending = v.state == VerificationState::Pending;
    let reason_id = format!("reject-reason-{kind}");
    view! {
        <div class="review-box">
            <h3>{heading} " " <span class="badge badge-neutral">{state}</span></h3>
            <dl class="details">
                {v.real_name.clone().map(|n| view! { <dt>{t!(i18n, profile_real_name)}</dt><dd>{n}</dd> })}
                {v.id_number_masked.clone().map(|n| view! { <dt>{t!(i18n, profile_id_document)}</dt><dd>{n}</dd> })}
                {v.document.clone().map(|d| view! { <dt>{t!(i18n, admin_document)}</dt><dd>{d}</dd> })}
                {v.reason.clone().map(|r| view! { <dt>{t!(i18n, admin_reason)}</dt><dd>{r}</dd> })}
            </dl>
            {(!v.documents.is_empty()).then(|| view! {
                <ul class="doc-links" aria-label=move || t_string!(i18n, admin_documents)>
                    {v.documents.iter().map(|d| {
                        let href = format!("/api/v1/admin/documents/{}", d.id);
                        let label = format!("{} #{}", d.kind.as_str(), d.id);
                        view! { <li><a href=href target="_blank" rel="noopener">{label}</a></li> }
                    }).collect_view()}
                </ul>
            })}
            {pending.then(|| view! {
                <div class="action-row">
                    <ActionForm action=action attr:class="inline-form">
                        <input type="hidden" name="user_id" value=user_id/>
                        <input type="hidden" name="kind" value=kind/>
                        <input type="hidden" name="decision" value="approve"/>
                        <button type="submit" class="btn btn-primary">{t!(i18n, admin_approve)}</button>
                    </ActionForm>
                </div>
                <ActionForm action=action attr:class="stack-form">
                    <input type="hidden" name="user_id" value=user_id/>
                    <input type="hidden" name="kind" value=kind/>
                    <input type="hidden" name="decision" value="reject"/>
                    <div class="field">
                        <label for=reason_id.clone()>{t!(i18n, admin_reject_reason)}</label>
                        <input id=reason_id.clone() name="reason" autocomplete="off"/>
                    </div>
                    <button type="submit" class="btn btn-ghost">{t!(i18n, admin_reject)}</button>
                </ActionForm>
            })}
        </div>
    }
    .into_any()
}
