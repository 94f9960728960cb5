//! Hydrates the server-rendered page in the browser.

// Leptos view types nest deeply in release builds (no type erasure there).
#![recursion_limit = "512"]

use leptos::prelude::document;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let Some(body) = document().body() else {
        return;
    };
    // Lazily: the current page's WASM chunk (every page but /login has one
    // in a split build) is fetched before the page hydrates.
    wasm_bindgen_futures::spawn_local(async move {
        let app = leptos::mount::hydrate_from_async(body.clone(), app::App).await;
        app.forget();
        // `<body data-hydrated="true">` once the whole page, its chunk
        // included, has taken over, so tests (and curious users) can tell a
        // hydrated page from server-rendered HTML. Set here rather than in
        // an effect: effects run while a chunk is still loading.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
