//! Sending money in two steps: the form is checked and the recipient shown
//! masked; then the payment PIN confirms. The request id comes with the
//! check, so confirming twice (a double click, a retry) sends once.

use crate::components::form_errors::{source, FormErrors};
use crate::components::submit_button::SubmitButton;
use crate::components::{field::TextField, form_alert::FormAlert};
use crate::i18n::*;
use crate::wallet_api::{PreviewTransfer, SendMoney};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::wallet::{Balance, TransferPreview};

#[component]
pub fn TransferForm(
    balances: Vec<Balance>,
    /// The currency chosen at first.
    initial: String,
    sent: RwSignal<u32>,
    /// "Sent … to …", owned by the page: a transfer reloads the balances,
    /// which renders this form anew.
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let preview = ServerAction::<PreviewTransfer>::new();
    let send = ServerAction::<SendMoney>::new();
    let to = RwSignal::new(String::new());
    // Only enabled currencies can be sent: start on one.
    let initial = match balances.iter().find(|b| b.currency == initial) {
        Some(b) if !b.enabled => balances
            .iter()
            .find(|b| b.enabled)
            .map_or(initial, |b| b.currency.clone()),
        _ => initial,
    };
    let currency = RwSignal::new(initial);
    let amount = RwSignal::new(String::new());
    let memo = RwSignal::new(String::new());
    let pin = RwSignal::new(String::new());
    // The preview being confirmed; cleared by "Back" and after sending.
    let confirming = RwSignal::new(None::<TransferPreview>);
    let errors = FormErrors::latest(vec![source(preview), source(send)]);
    Effect::new(move |_| {
        if let Some(Ok(p)) = preview.value().get() {
            confirming.set(Some(p));
            done.set(None);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(receipt)) = send.value().get() {
            if let Some(p) = confirming.get_untracked() {
                done.set(Some(
                    t_string!(
                        i18n,
                        wallet_sent,
                        amount = receipt.amount.clone(),
                        code = receipt.currency.clone(),
                        to = p.recipient.clone()
                    )
                    .to_string(),
                ));
            }
            confirming.set(None);
            pin.set(String::new());
            amount.set(String::new());
            memo.set(String::new());
            sent.update(|n| *n += 1);
        }
    });
    let on_check = move |ev: SubmitEvent| {
        ev.prevent_default();
        if preview.pending().get_untracked() {
            return;
        }
        preview.dispatch(PreviewTransfer {
            to: to.get_untracked(),
            currency: currency.get_untracked(),
            amount: amount.get_untracked(),
        });
    };
    let on_confirm = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(p) = confirming.get_untracked() else {
            return;
        };
        if send.pending().get_untracked() {
            return;
        }
        send.dispatch(SendMoney {
            to: to.get_untracked(),
            currency: p.currency.clone(),
            amount: p.amount.clone(),
            memo: memo.get_untracked(),
            request_id: p.request_id.clone(),
            pin: pin.get_untracked(),
        });
    };
    let no_error = Signal::derive(|| None);
    // A disabled currency takes no transfers: it is not offered. Names
    // follow the page's language, also after a switch.
    let choices: Vec<Balance> = balances.iter().filter(|b| b.enabled).cloned().collect();

    view! {
        <p class="form-success" role="status">{move || done.get()}</p>
        <Show
            when=move || confirming.get().is_some()
            fallback=move || view! {
                <form on:submit=on_check novalidate class="stack-form">
                    <FormAlert message=errors.form(&[])/>
                    <TextField
                        id="transfer-to"
                        name="to"
                        autocomplete="off"
                        label=Signal::derive(move || t_string!(i18n, field_recipient))
                        value=to
                        error=no_error
                    />
                    <div class="field-row">
                        <div class="field">
                            <label for="transfer-currency">{t!(i18n, field_currency)}</label>
                            <select
                                id="transfer-currency"
                                name="currency"
                                prop:value=move || currency.get()
                                on:change=move |ev| currency.set(event_target_value(&ev))
                            >
                                {choices
                                    .clone()
                                    .into_iter()
                                    .map(|b| {
                                        let code = b.currency.clone();
                                        let label = move || {
                                            format!("{} ({})", b.currency, b.name_in(crate::pages::wallet::ui_lang(i18n)))
                                        };
                                        view! { <option value=code>{label}</option> }
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                        <TextField
                            id="transfer-amount"
                            name="amount"
                            inputmode="decimal"
                            label=Signal::derive(move || t_string!(i18n, field_amount))
                            value=amount
                            error=no_error
                        />
                    </div>
                    <TextField
                        id="transfer-memo"
                        name="memo"
                        label=Signal::derive(move || t_string!(i18n, field_memo))
                        optional_text=Signal::derive(move || t_string!(i18n, optional))
                        value=memo
                        error=no_error
                    />
                    <SubmitButton
                        pending=preview.pending()
                        label=Signal::derive(move || t_string!(i18n, wallet_continue))
                        pending_label=Signal::derive(move || t_string!(i18n, wallet_checking))
                        class="btn btn-primary"
                    />
                </form>
            }
        >
            <form on:submit=on_confirm novalidate class="stack-form confirm-box">
                <FormAlert message=errors.form(&[])/>
                <p class="confirm-text">
                    {move || confirming.get().map(|p| t_string!(
                        i18n,
                        wallet_confirm_text,
                        amount = p.amount.clone(),
                        code = p.currency.clone(),
                        to = p.recipient.clone()
                    ).to_string())}
                </p>
                <TextField
                    id="transfer-pin"
                    name="pin"
                    input_type="password"
                    inputmode="numeric"
                    autocomplete="off"
                    label=Signal::derive(move || t_string!(i18n, field_pin))
                    value=pin
                    error=no_error
                />
                <div class="form-actions">
                    <SubmitButton
                        pending=send.pending()
                        label=Signal::derive(move || t_string!(i18n, wallet_confirm))
                        pending_label=Signal::derive(move || t_string!(i18n, wallet_sending))
                        class="btn btn-primary"
                    />
                    <button type="button" class="btn btn-secondary" on:click=move |_| confirming.set(None)>
                        {t!(i18n, wallet_back)}
                    </button>
                </div>
            </form>
        </Show>
    }
    .into_any()
}
