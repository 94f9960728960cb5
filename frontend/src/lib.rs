//! Hydrates the server-rendered page in the browser.

// Leptos view types nest deeply in release builds (no type erasure there).
#![recursion_limit = "512"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
