//! `server import users`: the command's report, dry run and re-run, and
//! an imported user signing in over the REST API.

use crate::config::ImportCommand;
use crate::import_cli::{self, ImportCliError};
use crate::tests::server;
use axum::http::StatusCode;
use domain::import::sample;
use serde_json::json;
use std::path::{Path, PathBuf};

fn users(file: &Path, dry_run: bool) -> ImportCommand {
    ImportCommand::Users {
        file: file.to_path_buf(),
        dry_run,
        skip_invalid: false,
        batch_size: 3,
    }
}

/// Writes sample rows `1..=n` and then `extra` lines; returns the path.
fn write_file(dir: &Path, n: u64, extra: &[&str]) -> PathBuf {
    let path = dir.join("users.jsonl");
    let mut text: String = (1..=n).map(|i| sample::row(i) + "\n").collect();
    for line in extra {
        text.push_str(line);
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

async fn users_in(s: &crate::tests::Server) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&s.db.sql)
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn dry_run_reports_bad_rows_by_line_and_writes_nothing() {
    let s = server().await;
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(
        dir.path(),
        7,
        &[
            r#"{"import_id":"x1","email":"not an email"}"#,
            r#"{"import_id":"x2","email":"user3@example.com"}"#,
        ],
    );
    let mut progress = Vec::new();
    let out = import_cli::run(&s.uc, users(&file, true), &mut progress)
        .await
        .unwrap();
    assert_eq!(
        out.report,
        "line 8 (x1): INVALID_EMAIL [email]: Enter a valid email address (at most 128 characters).\n\
         line 9 (x2): EMAIL_TAKEN [email]: the same email is on line 3\n\
         9 rows: 7 new, 0 already imported, 2 bad\n\
         dry run: nothing was written\n"
    );
    assert_eq!(out.failure.as_deref(), Some("2 bad rows"));
    assert!(progress.is_empty(), "a line per 10,000 rows only");
    assert_eq!(users_in(&s).await, 0);

    // Without the bad rows the dry run passes, and still writes nothing.
    let file = write_file(dir.path(), 7, &[]);
    let out = import_cli::run(&s.uc, users(&file, true), Vec::new())
        .await
        .unwrap();
    assert_eq!(out.failure, None);
    assert!(out
        .report
        .ends_with("7 rows: 7 new, 0 already imported, 0 bad\ndry run: nothing was written\n"));
    assert_eq!(users_in(&s).await, 0);
}

#[tokio::test]
async fn the_import_runs_once_and_its_users_sign_in_over_rest() {
    let s = server().await;
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), 7, &[]);
    let out = import_cli::run(&s.uc, users(&file, false), Vec::new())
        .await
        .unwrap();
    assert_eq!(out.failure, None, "{}", out.report);
    assert!(
        out.report
            .ends_with("imported 7 users with 9 opening balances\n"),
        "{}",
        out.report
    );
    assert_eq!(users_in(&s).await, 7);

    let again = import_cli::run(&s.uc, users(&file, false), Vec::new())
        .await
        .unwrap();
    assert_eq!(
        again.report,
        "7 rows: 0 new, 7 already imported, 0 bad\nimported 0 users with 0 opening balances\n"
    );
    assert_eq!(users_in(&s).await, 7);

    // Row 1's md5(md5) hash, checked and replaced by the REST sign-in.
    let (status, login) = s
        .post_json(
            "/api/v1/auth/login",
            json!({"identifier": "user_1", "password": sample::password_of(1)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{login}");
    assert_eq!(login["user"]["email"], "user1@example.com");
    assert_eq!(s.uc.legacy_passwords_left().await.unwrap(), 6);
    let (status, _) = s
        .post_json(
            "/api/v1/auth/login",
            json!({"identifier": "user_2", "password": sample::password_of(1)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let missing = import_cli::run(&s.uc, users(&dir.path().join("nope"), false), Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(missing, ImportCliError::File { .. }), "{missing}");
}
