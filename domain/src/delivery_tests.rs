//! Real network delivery against local sinks: an SMTP server and an HTTP SMS
//! gateway, each a few lines on a loopback socket.

use crate::delivery::sms::WEBHOOK_SECRET_HEADER;
use crate::delivery::{
    templates, EmailSender, Lang, Messenger, SmsSender, SmtpEmail, SmtpSettings, SmtpTls,
    WebhookSms,
};
use crate::secret_string::SecretString;
use shared::dto::CodePurpose;
use shared::validate::Contact;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Accepts one SMTP session and forwards the DATA it received.
async fn smtp_sink() -> (u16, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
        let mut data = String::new();
        let mut in_data = false;
        while let Ok(Some(line)) = lines.next_line().await {
            if in_data {
                if line == "." {
                    in_data = false;
                    tx.send(std::mem::take(&mut data)).await.unwrap();
                    write.write_all(b"250 queued\r\n").await.unwrap();
                } else {
                    data.push_str(&line);
                    data.push('\n');
                }
                continue;
            }
            let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
            let reply: &[u8] = match verb.as_str() {
                "EHLO" | "HELO" => b"250 sink\r\n",
                "DATA" => {
                    in_data = true;
                    b"354 go ahead\r\n"
                }
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                }
                _ => b"250 ok\r\n",
            };
            write.write_all(reply).await.unwrap();
        }
    });
    (port, rx)
}

#[tokio::test]
async fn a_code_arrives_through_real_smtp() {
    let (port, mut received) = smtp_sink().await;
    let email = SmtpEmail::new(&SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls: SmtpTls::None,
        username: None,
        password: None,
        from: "User Center <no-reply@example.com>".into(),
        timeout: Duration::from_secs(5),
    })
    .unwrap();
    let message = templates::code_message("493817", CodePurpose::Register, 10, Lang::En);
    email.send("alice@example.com", &message).await.unwrap();
    let data = tokio::time::timeout(Duration::from_secs(5), received.recv())
        .await
        .unwrap()
        .unwrap();
    // Undo quoted-printable soft line breaks.
    let data = data.replace("=\n", "");
    assert!(data.contains("To: alice@example.com"), "{data}");
    assert!(data.contains("493817"), "{data}");
    assert!(data.contains("10 minutes"), "{data}");
}

#[tokio::test]
async fn an_unreachable_mail_server_is_a_clear_error_not_a_hang() {
    // A listener that accepts but never speaks: the greeting never comes.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _held = listener.accept().await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    });
    let email = SmtpEmail::new(&SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls: SmtpTls::None,
        username: None,
        password: None,
        from: "no-reply@example.com".into(),
        timeout: Duration::from_secs(30),
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sms = crate::delivery::FileSms::new(dir.path().to_path_buf()).unwrap();
    let messenger = Messenger::new(Arc::new(email), Arc::new(sms), Duration::from_millis(300));
    let started = std::time::Instant::now();
    let message = templates::code_message("123456", CodePurpose::Login, 10, Lang::En);
    let err = messenger
        .send(&Contact::Email("a@example.com".into()), &message)
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3), "{err}");
    assert!(err.to_string().contains("timed out"), "{err}");
}

/// Accepts one HTTP request and answers `status`; forwards the raw request.
async fn http_sink(status: &'static str) -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel(1);
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = socket.read(&mut chunk).await.unwrap();
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if buf.len() >= end + 4 + length {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        let response =
            format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        socket.write_all(response.as_bytes()).await.unwrap();
        tx.send(String::from_utf8_lossy(&buf).to_string())
            .await
            .unwrap();
    });
    (url, rx)
}

#[tokio::test]
async fn the_sms_webhook_posts_json_with_the_shared_secret() {
    let (url, mut received) = http_sink("200 OK").await;
    let sms = WebhookSms::new(url, SecretString::new("s3cret"), Duration::from_secs(5)).unwrap();
    sms.send("13800138000", "Your code is 123456")
        .await
        .unwrap();
    let request = received.recv().await.unwrap();
    assert!(request.starts_with("POST /sms "), "{request}");
    let lower = request.to_ascii_lowercase();
    assert!(
        lower.contains(&format!(
            "{}: s3cret",
            WEBHOOK_SECRET_HEADER.to_ascii_lowercase()
        )),
        "{request}"
    );
    let body = &request[request.find("\r\n\r\n").unwrap() + 4..];
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["to"], "13800138000");
    assert_eq!(json["text"], "Your code is 123456");
}

#[tokio::test]
async fn a_refusing_sms_gateway_is_an_error() {
    let (url, _received) = http_sink("500 Internal Server Error").await;
    let sms = WebhookSms::new(url, SecretString::new("s3cret"), Duration::from_secs(5)).unwrap();
    let err = sms.send("13800138000", "hello").await.unwrap_err();
    assert!(err.to_string().contains("500"), "{err}");
}
