//! `/wallet`: balances per currency, the balance chart, sending money, the
//! payment PIN, and the history.

use crate::components::balance_chart::BalanceChart;
use crate::components::wallet_history::HistoryTable;
use crate::components::wallet_pin::PinSection;
use crate::components::wallet_transfer::TransferForm;
use crate::errors::error_text;
use crate::i18n::*;
use crate::wallet_api::{wallet_chart, wallet_overview};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use shared::wallet::Balance;
use shared::ErrorCode;

#[component]
pub fn WalletPage() -> impl IntoView {
    let i18n = use_i18n();
    // Bumped after a transfer or a PIN change: balances and history reload.
    let changed = RwSignal::new(0u32);
    let overview = Resource::new_blocking(move || changed.get(), |_| wallet_overview());
    let selected = RwSignal::new(None::<String>);
    // Outcomes shown after the reload they cause.
    let sent_notice = RwSignal::new(None::<String>);
    let pin_saved = RwSignal::new(false);
    view! {
        <div class="page">
            <div class="page-head">
                <h1 id="wallet-title">{t!(i18n, wallet_title)}</h1>
                <p class="lead">{t!(i18n, wallet_lead)}</p>
            </div>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok((balances, pin)) => {
                            let first = default_currency(&balances);
                            let currency = Signal::derive(move || selected.get().unwrap_or_else(|| first.clone()));
                            let pin_set = pin.set;
                            let pin_section = view! {
                                <section class="card panel">
                                    <h2 id="pin-title">{t!(i18n, wallet_pin_title)}</h2>
                                    <PinSection status=pin changed=changed saved=pin_saved/>
                                </section>
                            };
                            let send_section = view! {
                                <section class="card panel">
                                    <h2 id="send-title">{t!(i18n, wallet_send_title)}</h2>
                                    <TransferForm
                                        balances=balances.clone()
                                        initial=currency.get_untracked()
                                        sent=changed
                                        done=sent_notice
                                    />
                                </section>
                            };
                            // Until a PIN is set, activating payments comes first.
                            let (first_section, second_section) = if pin_set {
                                (send_section.into_any(), pin_section.into_any())
                            } else {
                                (pin_section.into_any(), send_section.into_any())
                            };
                            view! {
                                <div class="panels">
                                    <section class="card panel panel-wide">
                                        <h2 id="balances-title">{t!(i18n, wallet_balances)}</h2>
                                        <BalanceList balances=balances selected=selected current=currency/>
                                    </section>
                                    {first_section}
                                    {second_section}
                                    <section class="card panel panel-wide">
                                        <h2 id="chart-title">{t!(i18n, wallet_chart_title)} " · " {move || currency.get()}</h2>
                                        <ChartFor currency=currency version=changed.into()/>
                                    </section>
                                    <section class="card panel panel-wide">
                                        <h2 id="history-title">{t!(i18n, wallet_history_title)} " · " {move || currency.get()}</h2>
                                        <HistoryTable currency=currency version=changed.into()/>
                                    </section>
                                </div>
                            }
                            .into_any()
                        }
                        Err(e) if e.code == ErrorCode::Unauthenticated => {
                            view! { <Redirect path="/login?next=/wallet"/> }.into_any()
                        }
                        Err(e) => view! { <p class="form-alert" role="alert">{error_text(i18n, &e)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
    .into_any()
}

/// The page's language as a tag (`en`, `zh-CN`), for names that carry
/// their own translation (a currency's `name_zh`).
pub fn ui_lang(i18n: leptos_i18n::I18nContext<Locale>) -> &'static str {
    if i18n.get_locale() == Locale::zh_CN {
        "zh-CN"
    } else {
        "en"
    }
}

/// The currency shown first: the first one holding money, else the yuan,
/// else the first listed.
pub fn default_currency(balances: &[Balance]) -> String {
    balances
        .iter()
        .find(|b| b.posted_minor != 0)
        .or_else(|| balances.iter().find(|b| b.currency == "CNY"))
        .or(balances.first())
        .map(|b| b.currency.clone())
        .unwrap_or_default()
}

/// One card per currency; choosing one shows its chart and history.
#[component]
fn BalanceList(
    balances: Vec<Balance>,
    selected: RwSignal<Option<String>>,
    current: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="balances" aria-labelledby="balances-title">
            {balances
                .into_iter()
                .map(|b| {
                    let code = b.currency.clone();
                    let code_for_click = code.clone();
                    let code_for_pressed = code.clone();
                    view! {
                        <li class="balance">
                            <button
                                type="button"
                                class="balance-card"
                                aria-pressed=move || if current.get() == code_for_pressed { "true" } else { "false" }
                                aria-label=t_string!(i18n, wallet_show_currency, code = code.clone()).to_string()
                                on:click=move |_| selected.set(Some(code_for_click.clone()))
                            >
                                <span class="balance-code">{b.currency.clone()}</span>
                                <span class="balance-name">{
                                    let b = b.clone();
                                    move || b.name_in(ui_lang(i18n)).to_string()
                                }</span>
                                {(!b.enabled).then(|| view! {
                                    <span class="badge badge-warn">{t!(i18n, wallet_currency_disabled)}</span>
                                })}
                            </button>
                            <dl class="balance-amounts" data-currency=b.currency.clone()>
                                <div><dt>{t!(i18n, wallet_available)}</dt><dd>{b.available.clone()}</dd></div>
                                <div><dt>{t!(i18n, wallet_frozen)}</dt><dd>{b.frozen.clone()}</dd></div>
                            </dl>
                        </li>
                    }
                    .into_any()
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn ChartFor(currency: Signal<String>, version: Signal<u32>) -> impl IntoView {
    let chart = Resource::new(
        move || (currency.get(), version.get()),
        |(currency, _)| async move { (currency.clone(), wallet_chart(currency).await) },
    );
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let (currency, points) = chart.await;
                points.ok().map(|points| view! { <BalanceChart currency=currency points=points/> })
            })}
        </Transition>
    }
    .into_any()
}
