//! Sending a chosen file as a request body, with upload progress.
//!
//! `XMLHttpRequest` is the only browser API that reports upload progress;
//! the session cookie authenticates the request. The answer is the body
//! text on success, or the server's `AppError`.

use leptos::prelude::*;
use shared::media::MAX_IMAGE_BYTES;
use shared::{AppError, ErrorCode};

/// Checks what the browser can know before sending: the size.
pub fn precheck(size: f64) -> Result<(), AppError> {
    if size <= 0.0 {
        Err(AppError::new(ErrorCode::ImageEmpty))
    } else if size > MAX_IMAGE_BYTES as f64 {
        Err(AppError::new(ErrorCode::ImageTooLarge))
    } else {
        Ok(())
    }
}

/// The chosen file of a file input, if any.
pub fn chosen_file(input: NodeRef<leptos::html::Input>) -> Option<web_sys::File> {
    input.get_untracked()?.files()?.get(0)
}

/// Sends `file` with `method` to `url`; `progress` follows the upload in
/// percent, and `done` gets the outcome once.
pub fn send_file(
    method: &str,
    url: &str,
    file: &web_sys::File,
    progress: Option<RwSignal<Option<f64>>>,
    done: impl Fn(Result<String, AppError>) + 'static,
) {
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    let done = Rc::new(done);
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
        done(Err(AppError::internal()));
        return;
    };
    if xhr.open_with_async(method, url, true).is_err() {
        done(Err(AppError::internal()));
        return;
    }
    let content_type = match file.type_() {
        t if t.is_empty() => "application/octet-stream".to_string(),
        t => t,
    };
    let _ = xhr.set_request_header("Content-Type", &content_type);
    if let (Some(progress), Ok(upload)) = (progress, xhr.upload()) {
        let on_progress =
            Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |ev: web_sys::ProgressEvent| {
                if ev.length_computable() && ev.total() > 0.0 {
                    progress.set(Some((ev.loaded() / ev.total() * 100.0).min(100.0)));
                }
            });
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        // Called many times, so not a `once` closure; the request (and with
        // it the closure's only caller) ends with this upload.
        on_progress.forget();
    }
    let answered = xhr.clone();
    let on_load_done = done.clone();
    let on_load = Closure::once_into_js(move || {
        let status = answered.status().unwrap_or(0);
        let text = answered.response_text().ok().flatten().unwrap_or_default();
        if (200..300).contains(&status) {
            on_load_done(Ok(text));
        } else {
            let err = serde_json::from_str::<AppError>(&text).unwrap_or_else(|_| {
                if status == 413 {
                    AppError::new(ErrorCode::PayloadTooLarge)
                } else {
                    AppError::internal()
                }
            });
            on_load_done(Err(err));
        }
    });
    xhr.set_onload(Some(on_load.unchecked_ref()));
    let on_error_done = done.clone();
    let on_error = Closure::once_into_js(move || on_error_done(Err(AppError::internal())));
    xhr.set_onerror(Some(on_error.unchecked_ref()));
    if xhr.send_with_opt_blob(Some(file)).is_err() {
        done(Err(AppError::internal()));
    }
}

/// Uploads a private document photo (`kind` is `id_front`, `id_back` or
/// `qualification`) and returns its id, for a submission to reference.
pub async fn upload_document(kind: &str, file: web_sys::File) -> Result<i64, AppError> {
    precheck(file.size())?;
    let (tx, rx) = futures::channel::oneshot::channel();
    let tx = std::cell::RefCell::new(Some(tx));
    send_file(
        "POST",
        &format!("/api/v1/me/documents?kind={kind}"),
        &file,
        None,
        move |outcome| {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(outcome);
            }
        },
    );
    let text = rx.await.map_err(|_| AppError::internal())??;
    serde_json::from_str::<shared::media::DocumentInfo>(&text)
        .map(|d| d.id)
        .map_err(|_| AppError::internal())
}
