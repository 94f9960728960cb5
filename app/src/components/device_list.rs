//! The devices bound to the account, each with a Remove button.

use crate::api::{list_devices, RemoveDevice};
use crate::i18n::*;
use leptos::prelude::*;
use shared::dto::DeviceInfo;

#[component]
pub fn DeviceList() -> impl IntoView {
    let i18n = use_i18n();
    let remove = ServerAction::<RemoveDevice>::new();
    let devices = Resource::new(move || remove.version().get(), |_| list_devices());
    view! {
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match devices.await {
                    Ok(list) if list.is_empty() => {
                        view! { <p class="muted">{t!(i18n, devices_none)}</p> }.into_any()
                    }
                    Ok(list) => view! {
                        <ul class="session-list" aria-label=move || t_string!(i18n, devices_title)>
                            {list
                                .into_iter()
                                .map(|d| view! { <DeviceRow device=d remove=remove/> }.into_any())
                                .collect_view()}
                        </ul>
                    }
                    .into_any(),
                    Err(_) => ().into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn DeviceRow(device: DeviceInfo, remove: ServerAction<RemoveDevice>) -> impl IntoView {
    let i18n = use_i18n();
    let bound = device
        .created_at
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_string()
        + " UTC";
    let label = format!("{} ({})", device.name, device.os);
    view! {
        <li class="session">
            <div class="session-main">
                <p class="session-label">{label.clone()}</p>
                <dl class="session-meta">
                    <div><dt>{t!(i18n, device_bound_on)}</dt><dd>{bound}</dd></div>
                </dl>
            </div>
            <ActionForm action=remove>
                <input type="hidden" name="device_id" value=device.device_id.clone()/>
                <button
                    type="submit"
                    class="btn btn-secondary btn-small"
                    aria-label=format!("{} {}", t_string!(i18n, device_remove), label)
                >
                    {t!(i18n, device_remove)}
                </button>
            </ActionForm>
        </li>
    }
    .into_any()
}
