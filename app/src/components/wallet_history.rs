//! One currency's history, newest first, ten rows a page.

use crate::i18n::*;
use crate::wallet_api::wallet_history;
use leptos::prelude::*;
use shared::wallet::{Counterparty, Direction, HistoryItem, TransferKind};

#[component]
pub fn HistoryTable(currency: Signal<String>, version: Signal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    // Cursors of the pages shown so far; the last is the current page.
    let cursors = RwSignal::new(vec![None::<i64>]);
    Effect::new(move |_| {
        currency.track();
        version.track();
        cursors.set(vec![None]);
    });
    let page = Resource::new(
        move || {
            (
                currency.get(),
                cursors.with(|c| c.last().copied().flatten()),
                version.get(),
            )
        },
        |(currency, cursor, _)| wallet_history(currency, cursor),
    );
    view! {
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) if p.items.is_empty() => {
                        view! { <p class="muted">{t!(i18n, wallet_history_empty)}</p> }.into_any()
                    }
                    Ok(p) => {
                        let next = p.next_cursor;
                        view! {
                            // Notes wrap, and phones get one small block per entry
                            // instead of columns; sideways scrolling is a last resort.
                            <div class="table-wrap">
                                <table class="history" aria-labelledby="history-title">
                                    <thead>
                                        <tr>
                                            <th scope="col">{t!(i18n, wallet_col_date)}</th>
                                            <th scope="col">{t!(i18n, wallet_col_type)}</th>
                                            <th scope="col">{t!(i18n, wallet_col_party)}</th>
                                            <th scope="col" class="num">{t!(i18n, wallet_col_amount)}</th>
                                            <th scope="col" class="num">{t!(i18n, wallet_col_balance)}</th>
                                            <th scope="col">{t!(i18n, wallet_col_note)}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {p.items.into_iter().map(|item| view! { <HistoryRow item=item/> }.into_any()).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <div class="form-actions">
                                {move || (cursors.with(Vec::len) > 1).then(|| view! {
                                    <button type="button" class="btn btn-secondary btn-small" on:click=move |_| cursors.set(vec![None])>
                                        {t!(i18n, wallet_newest)}
                                    </button>
                                })}
                                {next.map(|n| view! {
                                    <button type="button" class="btn btn-secondary btn-small" on:click=move |_| cursors.update(|c| c.push(Some(n)))>
                                        {t!(i18n, wallet_older)}
                                    </button>
                                })}
                            </div>
                        }
                        .into_any()
                    }
                    Err(_) => ().into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn HistoryRow(item: HistoryItem) -> impl IntoView {
    let i18n = use_i18n();
    let kind = move || match item.kind {
        TransferKind::Deposit => t_string!(i18n, kind_deposit),
        TransferKind::Withdraw => t_string!(i18n, kind_withdraw),
        TransferKind::Transfer => t_string!(i18n, kind_transfer),
        TransferKind::Freeze => t_string!(i18n, kind_freeze),
        TransferKind::Unfreeze => t_string!(i18n, kind_unfreeze),
        TransferKind::Settle => t_string!(i18n, kind_settle),
    };
    let counterparty = item.counterparty.clone();
    let party = move || match &counterparty {
        Counterparty::System => t_string!(i18n, wallet_system).to_string(),
        Counterparty::User { display } => display.clone(),
    };
    let (sign, class) = match item.direction {
        Direction::In => ("+", "num amount amount-in"),
        Direction::Out => ("−", "num amount amount-out"),
    };
    let when = item
        .created_at
        .replace('T', " ")
        .trim_end_matches('Z')
        .chars()
        .take(16)
        .collect::<String>();
    view! {
        <tr>
            <td class="when"><time datetime=item.created_at.clone()>{when}</time></td>
            <td class="kind">{kind}</td>
            <td class="party">{party}</td>
            <td class=class>{format!("{sign}{}", item.amount)}</td>
            <td class="num balance-after" data-label=move || t_string!(i18n, wallet_col_balance)>{item.balance_after.clone()}</td>
            <td class="note">{item.memo.clone().unwrap_or_default()}</td>
        </tr>
    }
    .into_any()
}
