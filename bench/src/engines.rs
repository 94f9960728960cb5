//! `--engine postgres`: the same sign-ins, token checks, `/me` reads and
//! signed transfers on SQLite (one server, the embedded default), on
//! PostgreSQL with one server, and on PostgreSQL with two servers sharing
//! the database, all in one run on one machine. Each PostgreSQL row's
//! baseline is the configuration before it, so the table shows what the
//! engine costs and what a second server adds.

use super::{check_errors, password, post, server, Args, Row, Scale};
use crate::load::{self, get, post_json, post_raw, LoadResult, MakeRequest};
use serde_json::json;
use sqlx::{AssertSqlSafe, Connection};
use std::sync::Arc;

/// One configuration's figures.
struct Figures {
    logins: LoadResult,
    checks: LoadResult,
    me: LoadResult,
    transfers: LoadResult,
}

/// A fresh database on the PostgreSQL server `base` names.
async fn new_database(base: &str, name: &str) -> Result<String, String> {
    let mut admin = sqlx::PgConnection::connect(base)
        .await
        .map_err(|e| format!("cannot reach PostgreSQL at {base}: {e}"))?;
    for sql in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::query(AssertSqlSafe(sql))
            .execute(&mut admin)
            .await
            .map_err(|e| format!("{name}: {e}"))?;
    }
    let head = base.rsplit_once('/').map_or(base, |(h, _)| h);
    Ok(format!("{head}/{name}"))
}

/// Runs `total` requests split over the servers at once; the rate is the
/// sum's over the slowest server's time.
async fn split(servers: &[server::Server], total: usize, make: MakeRequest) -> LoadResult {
    let share = total.div_ceil(servers.len());
    let runs = servers.iter().enumerate().map(|(k, s)| {
        let make = make.clone();
        let offset = k * share;
        let shifted: MakeRequest = Arc::new(move |i| make(i + offset));
        load::run(s.addr, 64 / servers.len(), share, shifted)
    });
    let results = futures_join(runs).await;
    let requests = results.iter().map(|r| r.requests).sum();
    let errors = results.iter().map(|r| r.errors).sum();
    let elapsed = results.iter().map(|r| r.elapsed).max().unwrap_or_default();
    LoadResult::measured(requests, errors, elapsed, Vec::new())
}

async fn futures_join<F: std::future::Future<Output = LoadResult> + Send + 'static>(
    runs: impl Iterator<Item = F>,
) -> Vec<LoadResult> {
    let handles: Vec<_> = runs.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        if let Ok(r) = h.await {
            out.push(r);
        }
    }
    out
}

async fn measure(servers: &[server::Server], scale: &Scale) -> Result<Figures, String> {
    let first = servers[0].addr;
    let mut tokens = Vec::new();
    let mut ids = Vec::new();
    for i in 0..scale.users {
        let body = json!({ "email": format!("bench{i}@example.com"), "password": password(i) });
        let res = post(first, "/api/v1/auth/register", &body, &[]).await?;
        tokens.push(format!(
            "Bearer {}",
            res["token"]
                .as_str()
                .ok_or("registration returned no token")?
        ));
        ids.push(
            res["user"]["id"]
                .as_i64()
                .ok_or("registration: no user id")?,
        );
    }
    let login = super::login_requests(scale.users);
    let logins = split(servers, scale.logins, login).await;
    check_errors("engine logins", &logins)?;
    let bearers = Arc::new(tokens);
    let b = bearers.clone();
    let check: MakeRequest = Arc::new(move |i| {
        post_json(
            "/api/v1/auth/check",
            &json!({}),
            &[("authorization", b[i % b.len()].clone())],
        )
    });
    let checks = split(servers, scale.reads, check).await;
    check_errors("engine token checks", &checks)?;
    let b = bearers.clone();
    let me: MakeRequest =
        Arc::new(move |i| get("/api/v1/me", &[("authorization", b[i % b.len()].clone())]));
    let me = split(servers, scale.reads, me).await;
    check_errors("engine /me", &me)?;

    let (app_id, secret) = servers[0].create_app("bench-engines", "wallet:write")?;
    let sign = move |path: &str, tx: String, body: String| {
        let time = time::OffsetDateTime::now_utc().unix_timestamp().to_string();
        let signature = domain::service_apps::sign(
            &secret,
            &domain::service_apps::string_to_sign("POST", path, &time, &tx, body.as_bytes()),
        );
        post_raw(
            path,
            body,
            &[
                ("x-app-id", app_id.clone()),
                ("x-req-time", time),
                ("x-transaction-id", tx),
                ("x-sign", signature),
            ],
        )
    };
    let sign = Arc::new(sign);
    let ids = Arc::new(ids);
    let (s, i2) = (sign.clone(), ids.clone());
    let fund: MakeRequest = Arc::new(move |i| {
        s(
            "/api/v1/service/wallet/deposit",
            format!("bench-e-fund-{i}"),
            json!({ "user_id": i2[i], "currency": "CNY", "amount": "100000" }).to_string(),
        )
    });
    let funded = load::run(first, 4, ids.len(), fund).await;
    check_errors("engine deposits", &funded)?;
    let transfer: MakeRequest = Arc::new(move |i| {
        let from = ids[i % ids.len()];
        let to = ids[(i + 1) % ids.len()];
        sign(
            "/api/v1/service/wallet/transfer",
            format!("bench-e-{i}"),
            json!({ "from_user_id": from, "to_user_id": to, "currency": "CNY", "amount": "0.01" })
                .to_string(),
        )
    });
    let transfers = split(servers, scale.service_transfers, transfer).await;
    check_errors("engine signed transfers", &transfers)?;
    Ok(Figures {
        logins,
        checks,
        me,
        transfers,
    })
}

/// The table of `--engine postgres`.
pub async fn rows(args: &Args, scale: &Scale, postgres: &str) -> Result<Vec<Row>, String> {
    let sqlite = {
        let srv = server::Server::start(&args.server, &args.site_root)?;
        measure(std::slice::from_ref(&srv), scale).await?
    };
    let one = {
        let url = new_database(postgres, "uc_bench_one").await?;
        let srv = server::Server::start_on(&args.server, &args.site_root, Some(&url), None)?;
        measure(std::slice::from_ref(&srv), scale).await?
    };
    let two = {
        let url = new_database(postgres, "uc_bench_two").await?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let a =
            server::Server::start_on(&args.server, &args.site_root, Some(&url), Some(dir.path()))?;
        // The second starts once the first has migrated the database.
        let b =
            server::Server::start_on(&args.server, &args.site_root, Some(&url), Some(dir.path()))?;
        measure(&[a, b], scale).await?
    };
    let mut rows = Vec::new();
    type Pick = fn(&Figures) -> &LoadResult;
    let measures: [(&str, Pick); 4] = [
        ("password logins/s", |f| &f.logins),
        ("token checks/s (POST /api/v1/auth/check)", |f| &f.checks),
        ("GET /api/v1/me req/s", |f| &f.me),
        ("signed service transfers/s", |f| &f.transfers),
    ];
    for (name, pick) in measures {
        rows.push(Row {
            measure: leak(format!("SQLite, 1 server: {name}")),
            value: pick(&sqlite).per_sec(),
            unit: "/s",
            baseline: None,
            target: "",
        });
        rows.push(Row {
            measure: leak(format!("PostgreSQL, 1 server: {name}")),
            value: pick(&one).per_sec(),
            unit: "/s",
            baseline: Some((pick(&sqlite).per_sec(), "SQLite, 1 server")),
            target: "",
        });
        rows.push(Row {
            measure: leak(format!("PostgreSQL, 2 servers: {name}")),
            value: pick(&two).per_sec(),
            unit: "/s",
            baseline: Some((pick(&one).per_sec(), "PostgreSQL, 1 server")),
            target: "",
        });
    }
    Ok(rows)
}

/// Row names are `&'static str`; these few are made once per run.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}
