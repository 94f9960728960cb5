//! A signed call to the service API, step by step: what another service
//! does to call `/api/v1/service/…`.
//!
//! ```sh
//! export UC_APP_ID=app_… UC_APP_SECRET=…          # from `server admin create-app`
//! cargo run -p server --example sign_request -- GET '/api/v1/service/users/search?q=example'
//! cargo run -p server --example sign_request -- POST /api/v1/service/messages \
//!     '{"user_id":1,"channel":"email","subject":"Hello","text":"Your order shipped."}'
//! ```
//!
//! `UC_URL` is the server (default `http://127.0.0.1:3000`). With `--curl`
//! first, it prints an equivalent curl command instead of sending.
//!
//! The signature is the lower-case hex HMAC-SHA256, keyed with the app
//! secret, of five lines joined by `\n`:
//!
//! ```text
//! METHOD\nPATH?QUERY\nREQ_TIME\nTRANSACTION_ID\nhex(sha256(body))
//! ```
//!
//! PATH?QUERY is the request target exactly as sent; the body hash is over
//! the exact bytes sent (the empty string when there is none).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::time::{SystemTime, UNIX_EPOCH};

/// The string to sign; each line as described above.
fn string_to_sign(
    method: &str,
    path_and_query: &str,
    req_time: &str,
    tx: &str,
    body: &[u8],
) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}",
        method.to_ascii_uppercase(),
        path_and_query,
        req_time,
        tx,
        hex::encode(Sha256::digest(body))
    )
}

/// Hex HMAC-SHA256 of `text` under `secret`.
fn sign(secret: &str, text: &str) -> Result<String, String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|e| e.to_string())?;
    mac.update(text.as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// A transaction id unique enough for an example: the time in nanoseconds
/// and the process id. Real clients use their own request or order id, so a
/// retried wallet call carries the same one and moves money once.
fn transaction_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("ex-{nanos}-{}", std::process::id())
}

/// Quotes for a POSIX shell.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (see `server admin create-app`)"))
}

async fn run() -> Result<(), String> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let curl_only = args.first().is_some_and(|a| a == "--curl");
    if curl_only {
        args.remove(0);
    }
    let (method, path, body) = match args.as_slice() {
        [m, p] => (m.to_ascii_uppercase(), p.clone(), String::new()),
        [m, p, b] => (m.to_ascii_uppercase(), p.clone(), b.clone()),
        _ => {
            return Err("usage: sign_request [--curl] METHOD /api/v1/service/… [JSON body]".into())
        }
    };
    let base = std::env::var("UC_URL").unwrap_or_else(|_| "http://127.0.0.1:3000".into());
    let app_id = env("UC_APP_ID")?;
    let secret = env("UC_APP_SECRET")?;

    let req_time = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs()
        .to_string();
    let tx = transaction_id();
    let text = string_to_sign(&method, &path, &req_time, &tx, body.as_bytes());
    let signature = sign(&secret, &text)?;
    eprintln!("string to sign:\n{text}\n");

    let headers = [
        ("X-App-Id", app_id.as_str()),
        ("X-Req-Time", req_time.as_str()),
        ("X-Transaction-Id", tx.as_str()),
        ("X-Sign", signature.as_str()),
    ];
    if curl_only {
        let mut cmd = format!(
            "curl -sS -X {method} {}",
            sh_quote(&format!("{base}{path}"))
        );
        for (name, value) in headers {
            cmd.push_str(&format!(" -H {}", sh_quote(&format!("{name}: {value}"))));
        }
        if !body.is_empty() {
            cmd.push_str(" -H 'Content-Type: application/json' --data-binary ");
            cmd.push_str(&sh_quote(&body));
        }
        println!("{cmd}");
        return Ok(());
    }

    let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let mut request = reqwest::Client::new().request(method, format!("{base}{path}"));
    for (name, value) in headers {
        request = request.header(name, value);
    }
    if !body.is_empty() {
        // Sent byte for byte as signed: no re-serialisation.
        request = request
            .header("Content-Type", "application/json")
            .body(body);
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let text = response.text().await.map_err(|e| e.to_string())?;
    println!("{status}\n{text}");
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("the server answered {status}"))
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    /// The example signs exactly as the server verifies.
    #[test]
    fn signs_like_the_server() {
        let body = br#"{"user_id":1}"#;
        let ours =
            super::string_to_sign("post", "/api/v1/service/x?a=1", "1700000000", "t-1", body);
        let server = domain::service_apps::string_to_sign(
            "POST",
            "/api/v1/service/x?a=1",
            "1700000000",
            "t-1",
            body,
        );
        assert_eq!(ours, server);
        assert_eq!(
            super::sign("secret", &ours).unwrap(),
            domain::service_apps::sign("secret", &server)
        );
    }
}
