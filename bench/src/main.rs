//! `bench`: measures the user center against baselines taken in the same run
//! on the same machine, prints one table and (with `--record`) appends it to
//! BENCHMARKS.md. `--quick` uses tiny counts and only checks that every
//! measure produced a number; it runs inside the test command so the suite
//! cannot rot.
//!
//! Usage: bench [--quick] [--engine postgres --postgres URL] --server PATH --site-root DIR [--record FILE]

mod assets;
mod baseline;
mod engines;
mod load;
mod server;

use load::{get, post_json, LoadResult, MakeRequest};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

struct Args {
    quick: bool,
    server: PathBuf,
    site_root: PathBuf,
    record: Option<PathBuf>,
    /// Only one group of measures, `wallet` or `reads` (for profiling).
    only: Option<String>,
    /// `postgres`: the engines' table instead (SQLite beside PostgreSQL
    /// with one and with two servers), on the cluster `postgres` names.
    engine: Option<String>,
    postgres: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        quick: false,
        server: PathBuf::from("target/release/server"),
        site_root: PathBuf::from("target/site"),
        record: None,
        only: None,
        engine: None,
        postgres: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => args.quick = true,
            "--only" => args.only = Some(it.next().ok_or("--only needs wallet or reads")?),
            "--server" => args.server = it.next().ok_or("--server needs a path")?.into(),
            "--site-root" => args.site_root = it.next().ok_or("--site-root needs a path")?.into(),
            "--record" => args.record = Some(it.next().ok_or("--record needs a file")?.into()),
            "--engine" => args.engine = Some(it.next().ok_or("--engine needs sqlite or postgres")?),
            "--postgres" => args.postgres = Some(it.next().ok_or("--postgres needs a URL")?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

/// One line of the table.
struct Row {
    measure: &'static str,
    value: f64,
    unit: &'static str,
    baseline: Option<(f64, &'static str)>,
    target: &'static str,
}

impl Row {
    fn ratio(&self) -> Option<f64> {
        self.baseline
            .map(|(b, _)| if b > 0.0 { self.value / b } else { 0.0 })
    }
}

/// The rows of a file's size: raw, gzip -9 and brotli q11. "hydrate wasm"
/// is the main module, which every page needs; the last rows add up every
/// WASM file of the site, the main module and each lazily loaded page's
/// chunks (a build without `--split` has only the main module).
const FILE_MEASURES: [[&str; 3]; 4] = [
    [
        "hydrate wasm, raw",
        "hydrate wasm, gzip -9",
        "hydrate wasm, brotli q11",
    ],
    [
        "hydrate js, raw",
        "hydrate js, gzip -9",
        "hydrate js, brotli q11",
    ],
    [
        "stylesheet, raw",
        "stylesheet, gzip -9",
        "stylesheet, brotli q11",
    ],
    [
        "all WASM files (main + lazy chunks), raw",
        "all WASM files (main + lazy chunks), gzip -9",
        "all WASM files (main + lazy chunks), brotli q11",
    ],
];

/// Request counts: quick mode only proves every measure runs.
struct Scale {
    users: usize,
    hash_secs: f64,
    logins: usize,
    reads: usize,
    pages: usize,
    /// Wallet transfers (each verifies an argon2id PIN hash).
    transfers: usize,
    /// Staff deposits (ledger writes without a hash).
    deposits: usize,
    /// Signed service transfers (ledger writes, no hash, no session).
    service_transfers: usize,
    /// Single-row inserts of the raw SQLite baseline.
    raw_inserts: usize,
}

const QUICK: Scale = Scale {
    users: 4,
    hash_secs: 0.3,
    logins: 8,
    reads: 200,
    pages: 20,
    // With 4 users, 12 in flight at once is 3 per payer: below the PIN limit.
    transfers: 12,
    deposits: 100,
    service_transfers: 100,
    raw_inserts: 100,
};
const FULL: Scale = Scale {
    users: 32,
    hash_secs: 5.0,
    logins: 300,
    reads: 60_000,
    pages: 3_000,
    transfers: 1_000,
    deposits: 10_000,
    service_transfers: 20_000,
    raw_inserts: 5_000,
};

/// Every wallet user's payment PIN.
const PIN: &str = "135790";

fn password(i: usize) -> String {
    format!("bench password number {i}")
}

/// Password sign-ins, taking the seeded accounts in turn.
fn login_requests(users: usize) -> MakeRequest {
    Arc::new(move |i| {
        let u = i % users;
        post_json(
            "/api/v1/auth/login",
            &json!({ "identifier": format!("bench{u}@example.com"), "password": password(u) }),
            &[],
        )
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "bench: {e}\nusage: bench [--quick] [--only wallet|reads] [--engine postgres --postgres URL] --server PATH --site-root DIR [--record FILE]"
            );
            return ExitCode::from(2);
        }
    };
    match run(&args).await {
        Ok(rows) => {
            let table = render(&rows);
            println!("{table}");
            if let Some(path) = &args.record {
                if let Err(e) = record(path, &table) {
                    eprintln!("bench: cannot write {}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
            }
            let missing: Vec<_> = rows
                .iter()
                .filter(|r| r.value.is_nan() || r.value <= 0.0)
                .map(|r| r.measure)
                .collect();
            if missing.is_empty() {
                println!("bench: {} measures, each produced a number", rows.len());
                ExitCode::SUCCESS
            } else {
                eprintln!("bench: no number for: {}", missing.join(", "));
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<Vec<Row>, String> {
    let scale = if args.quick { QUICK } else { FULL };
    match args.engine.as_deref() {
        None | Some("sqlite") => {}
        Some("postgres") => {
            let url = args
                .postgres
                .as_deref()
                .ok_or("--engine postgres needs --postgres URL (scripts/bench starts a cluster)")?;
            return engines::rows(args, &scale, url).await;
        }
        Some(other) => return Err(format!("--engine {other}: use sqlite or postgres")),
    }
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let srv = server::Server::start(&args.server, &args.site_root)?;
    let addr = srv.addr;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (idle_kib, _) = srv.memory_kib();
    let mut rows = Vec::new();

    // Seed accounts through the public API.
    let mut tokens = Vec::new();
    let mut user_ids = Vec::new();
    for i in 0..scale.users {
        let body = json!({ "email": format!("bench{i}@example.com"), "password": password(i) });
        let res = post(addr, "/api/v1/auth/register", &body, &[]).await?;
        let token = res["token"]
            .as_str()
            .ok_or("registration returned no token")?
            .to_string();
        tokens.push(token);
        user_ids.push(
            res["user"]["id"]
                .as_i64()
                .ok_or("registration: no user id")?,
        );
    }
    let token = tokens[0].clone();
    // The first account holds a sealed real name and ID number (decrypted on
    // every read of it); the second holds none, the baseline of that cost.
    let plain_token = tokens.get(1).cloned().unwrap_or_else(|| token.clone());
    give_personal_data(addr, &token).await?;

    // 1. Password logins vs raw argon2id on all cores.
    let raw = tokio::task::spawn_blocking(move || {
        baseline::argon2_hashes_per_sec(cores, Duration::from_secs_f64(scale.hash_secs))
    })
    .await
    .map_err(|e| e.to_string())?;
    match args.only.as_deref() {
        Some("wallet") => return wallet_rows(&srv, &scale, &tokens, &user_ids, raw).await,
        Some("reads") => return Ok(read_rows(addr, &scale, &token, &plain_token).await?.0),
        Some(other) => return Err(format!("--only {other}: use wallet or reads")),
        None => {}
    }
    let login = login_requests(scale.users);
    // 2. Meanwhile, a cheap endpoint's latency shows whether the workers stay free.
    let stop = Arc::new(AtomicBool::new(false));
    let probe = tokio::spawn(load::probe_until(
        addr,
        || get("/healthz", &[]),
        Duration::from_millis(5),
        stop.clone(),
    ));
    let storm = load::run(addr, cores * 4, scale.logins, login).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let probe = probe.await.map_err(|e| e.to_string())?;
    let (_, peak_kib) = srv.memory_kib();
    check_errors("login storm", &storm)?;
    rows.push(Row {
        measure: "password logins/s (argon2id 19 MiB, t=2)",
        value: storm.per_sec(),
        unit: "/s",
        baseline: Some((raw, "raw argon2id hashes/s, all cores")),
        target: "ratio >= 0.9",
    });
    rows.push(Row {
        measure: "p99 /healthz during login storm",
        value: ms(probe.percentile(0.99)),
        unit: "ms",
        baseline: None,
        target: "< 20 ms",
    });

    // 3. Authenticated reads vs the trivial endpoint.
    let (reads, trivial) = read_rows(addr, &scale, &token, &plain_token).await?;
    rows.extend(reads);

    // 4. Wallet: PIN-checked transfers and staff deposits, after the reads so
    // the /healthz baseline above is from the same run.
    rows.extend(wallet_rows(&srv, &scale, &tokens, &user_ids, raw).await?);

    // 5. Server-rendered pages.
    let login_page = load::run(addr, 16, scale.pages, Arc::new(|_| get("/login", &[]))).await;
    check_errors("SSR /login", &login_page)?;
    let cookie = format!("uc_token={token}");
    let profile_page = load::run(
        addr,
        16,
        scale.pages,
        Arc::new(move |_| get("/profile", &[("cookie", cookie.clone())])),
    )
    .await;
    check_errors("SSR /profile", &profile_page)?;
    let plain_cookie = format!("uc_token={plain_token}");
    let plain_profile_page = load::run(
        addr,
        16,
        scale.pages,
        Arc::new(move |_| get("/profile", &[("cookie", plain_cookie.clone())])),
    )
    .await;
    check_errors("SSR /profile, no personal data", &plain_profile_page)?;
    rows.push(Row {
        measure: "SSR /login pages/s",
        value: login_page.per_sec(),
        unit: "/s",
        baseline: Some((trivial.per_sec(), "/healthz req/s")),
        target: "",
    });
    rows.push(Row {
        measure: "SSR /profile (signed in) pages/s",
        value: profile_page.per_sec(),
        unit: "/s",
        baseline: Some((trivial.per_sec(), "/healthz req/s")),
        target: "",
    });
    rows.push(Row {
        measure: "SSR /profile, real name and ID sealed, vs none: pages/s",
        value: profile_page.per_sec(),
        unit: "/s",
        baseline: Some((
            plain_profile_page.per_sec(),
            "SSR /profile of an account without them, pages/s",
        )),
        target: "",
    });

    // 6. What a browser downloads: the main files' sizes, and a first visit.
    let wasm = assets::sizes(&assets::main_file(&args.site_root, "wasm")?)?;
    let js = assets::sizes(&assets::main_file(&args.site_root, "js")?)?;
    let css = assets::sizes(&assets::main_file(&args.site_root, "css")?)?;
    let all_wasm = assets::all_sizes(&args.site_root, "wasm")?;
    for ([raw, gzip, brotli], sizes, gzip_target) in [
        (FILE_MEASURES[0], &wasm, "<= 250 KB"),
        (FILE_MEASURES[1], &js, ""),
        (FILE_MEASURES[2], &css, ""),
        (FILE_MEASURES[3], &all_wasm, ""),
    ] {
        rows.push(Row {
            measure: raw,
            value: kib(sizes.raw),
            unit: "KiB",
            baseline: None,
            target: "",
        });
        rows.push(Row {
            measure: gzip,
            value: kib(sizes.gzip),
            unit: "KiB",
            baseline: None,
            target: gzip_target,
        });
        rows.push(Row {
            measure: brotli,
            value: kib(sizes.brotli),
            unit: "KiB",
            baseline: None,
            target: "",
        });
    }
    let visit = assets::first_visit(addr, "/login").await?;
    let transferred: usize = visit.iter().map(|f| f.bytes).sum();
    for f in &visit {
        println!(
            "first visit /login: {:>9} B  {:<5} {:<40} {}",
            f.bytes,
            if f.encoding.is_empty() {
                "-"
            } else {
                &f.encoding
            },
            f.cache_control,
            f.path
        );
    }
    rows.push(Row {
        measure: "first visit /login, bytes transferred (HTML, CSS, JS, WASM, icon)",
        value: kib(transferred),
        unit: "KiB",
        baseline: None,
        target: "<= 300 KB",
    });
    rows.extend(browser_rows(addr)?);

    // 7. Memory.
    rows.push(Row {
        measure: "server RSS idle after start",
        value: idle_kib as f64 / 1024.0,
        unit: "MiB",
        baseline: None,
        target: "<= 30 MB",
    });
    rows.push(Row {
        measure: "server RSS peak (login storm)",
        value: peak_kib as f64 / 1024.0,
        unit: "MiB",
        baseline: None,
        target: "<= 200 MB",
    });
    Ok(rows)
}

/// The wallet's rows: PIN transfers against raw argon2id (`raw_argon2`,
/// hashes/s), deposits and signed transfers against raw SQLite inserts.
async fn wallet_rows(
    srv: &server::Server,
    scale: &Scale,
    tokens: &[String],
    user_ids: &[i64],
    raw: f64,
) -> Result<Vec<Row>, String> {
    let wallet = wallet_measures(srv, scale, tokens, user_ids).await?;
    let inserts = baseline::sqlite_single_inserts(64, scale.raw_inserts).await?;
    check_errors("raw SQLite inserts", &inserts)?;
    let raw_rate = (inserts.per_sec(), "raw 1-row transactions/s, FULL sync");
    Ok(vec![
        Row {
            measure: "raw SQLite: single-row insert transactions/s (FULL sync, 64 tasks)",
            value: inserts.per_sec(),
            unit: "/s",
            baseline: None,
            target: "",
        },
        Row {
            measure: "raw SQLite insert p50",
            value: ms(inserts.percentile(0.5)),
            unit: "ms",
            baseline: None,
            target: "",
        },
        Row {
            measure: "raw SQLite insert p99",
            value: ms(inserts.percentile(0.99)),
            unit: "ms",
            baseline: None,
            target: "",
        },
        Row {
            measure: "signed service transfers/s (no PIN, 64 clients)",
            value: wallet.service_transfers.per_sec(),
            unit: "/s",
            baseline: Some(raw_rate),
            target: ">= 10000/s, ratio >= 3",
        },
        Row {
            measure: "signed service transfer p50",
            value: ms(wallet.service_transfers.percentile(0.5)),
            unit: "ms",
            baseline: None,
            target: "",
        },
        Row {
            measure: "signed service transfer p99",
            value: ms(wallet.service_transfers.percentile(0.99)),
            unit: "ms",
            baseline: None,
            target: "< 20 ms",
        },
        Row {
            measure: "signed service transfers: orders per ledger commit (mean)",
            value: wallet.service_batch,
            unit: "",
            baseline: None,
            target: "",
        },
        Row {
            measure: "staff deposits/s (64 clients)",
            value: wallet.deposits.per_sec(),
            unit: "/s",
            baseline: Some(raw_rate),
            target: ">= 5000/s",
        },
        Row {
            measure: "staff deposit p50",
            value: ms(wallet.deposits.percentile(0.5)),
            unit: "ms",
            baseline: None,
            target: "",
        },
        Row {
            measure: "staff deposit p99",
            value: ms(wallet.deposits.percentile(0.99)),
            unit: "ms",
            baseline: None,
            target: "",
        },
        Row {
            measure: "staff deposits: orders per ledger commit (mean)",
            value: wallet.deposit_batch,
            unit: "",
            baseline: None,
            target: "",
        },
        Row {
            measure: "PIN transfers/s (argon2id PIN + ledger write, 64 clients)",
            value: wallet.transfers.per_sec(),
            unit: "/s",
            baseline: Some((raw, "raw argon2id hashes/s, all cores")),
            target: "ratio >= 0.9",
        },
        Row {
            measure: "PIN transfer p50",
            value: ms(wallet.transfers.percentile(0.5)),
            unit: "ms",
            baseline: None,
            target: "",
        },
        Row {
            measure: "PIN transfer p99",
            value: ms(wallet.transfers.percentile(0.99)),
            unit: "ms",
            baseline: None,
            target: "",
        },
    ])
}

/// `/healthz`, the token check and `GET /api/v1/me` under 64 clients, the
/// last two against the first; also the `/healthz` load, the later rows'
/// baseline.
async fn read_rows(
    addr: std::net::SocketAddr,
    scale: &Scale,
    token: &str,
    plain_token: &str,
) -> Result<(Vec<Row>, LoadResult), String> {
    let mut rows = Vec::new();
    let trivial = load::run(addr, 64, scale.reads, Arc::new(|_| get("/healthz", &[]))).await;
    check_errors("/healthz", &trivial)?;
    let t = token.to_string();
    let check = load::run(
        addr,
        64,
        scale.reads,
        Arc::new(move |_| post_json("/api/v1/auth/check", &json!({ "token": t }), &[])),
    )
    .await;
    check_errors("token check", &check)?;
    let bearer = format!("Bearer {token}");
    let me = load::run(
        addr,
        64,
        scale.reads,
        Arc::new(move |_| get("/api/v1/me", &[("authorization", bearer.clone())])),
    )
    .await;
    check_errors("profile read", &me)?;
    let plain_bearer = format!("Bearer {plain_token}");
    let plain_me = load::run(
        addr,
        64,
        scale.reads,
        Arc::new(move |_| get("/api/v1/me", &[("authorization", plain_bearer.clone())])),
    )
    .await;
    check_errors("profile read, no personal data", &plain_me)?;
    rows.push(Row {
        measure: "trivial endpoint /healthz req/s",
        value: trivial.per_sec(),
        unit: "/s",
        baseline: None,
        target: "",
    });
    rows.push(Row {
        measure: "token check req/s",
        value: check.per_sec(),
        unit: "/s",
        baseline: Some((trivial.per_sec(), "/healthz req/s")),
        target: "ratio >= 0.6",
    });
    rows.push(Row {
        measure: "token check p99",
        value: ms(check.percentile(0.99)),
        unit: "ms",
        baseline: Some((ms(trivial.percentile(0.99)), "/healthz p99 ms")),
        target: "",
    });
    rows.push(Row {
        measure: "profile read (GET /api/v1/me) req/s",
        value: me.per_sec(),
        unit: "/s",
        baseline: Some((trivial.per_sec(), "/healthz req/s")),
        target: "ratio >= 0.5",
    });
    rows.push(Row {
        measure: "GET /api/v1/me, real name and ID sealed, vs none: req/s",
        value: me.per_sec(),
        unit: "/s",
        baseline: Some((plain_me.per_sec(), "/me of an account without them, req/s")),
        target: "",
    });

    Ok((rows, trivial))
}

/// A first and a repeat visit in Chromium (`end2end/first-load.mjs`):
/// bytes over the network and time to interactive (a hydrated handler
/// answering), at Fast 3G and unthrottled.
fn browser_rows(addr: std::net::SocketAddr) -> Result<Vec<Row>, String> {
    let script = std::path::Path::new("end2end/first-load.mjs");
    let out = std::process::Command::new("node")
        .arg(script)
        .arg(format!("http://{addr}"))
        .output()
        .map_err(|e| format!("cannot run node {}: {e}", script.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let visits: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("first-load output: {e}"))?;
    let get = |visit: &str, what: &str| -> Result<f64, String> {
        visits[visit][what]
            .as_f64()
            .ok_or_else(|| format!("first-load output has no {visit}.{what}"))
    };
    let unthrottled = get("login_first_unthrottled", "ms")?;
    Ok(vec![
        Row {
            measure: "Chromium, first visit /login, Fast 3G: bytes transferred",
            value: get("login_first_fast3g", "bytes")? / 1024.0,
            unit: "KiB",
            baseline: None,
            target: "<= 300 KB",
        },
        Row {
            measure: "Chromium, first visit /login, Fast 3G: time to interactive",
            value: get("login_first_fast3g", "ms")?,
            unit: "ms",
            baseline: Some((unthrottled, "unthrottled ms")),
            target: "<= 3 s",
        },
        Row {
            measure: "Chromium, first visit /login, unthrottled: time to interactive",
            value: unthrottled,
            unit: "ms",
            baseline: None,
            target: "",
        },
        Row {
            measure: "Chromium, repeat visit /login, Fast 3G: bytes transferred",
            value: get("login_repeat_fast3g", "bytes")? / 1024.0,
            unit: "KiB",
            baseline: None,
            target: "the page only: no WASM, JS or CSS again",
        },
        Row {
            measure: "Chromium, repeat visit /login, Fast 3G: time to interactive",
            value: get("login_repeat_fast3g", "ms")?,
            unit: "ms",
            baseline: None,
            target: "",
        },
        Row {
            measure: "Chromium, /wallet after signing in on /login, Fast 3G: bytes transferred",
            value: get("wallet_after_login_fast3g", "bytes")? / 1024.0,
            unit: "KiB",
            baseline: None,
            target: "only the wallet's chunk",
        },
        Row {
            measure: "Chromium, /wallet after signing in on /login, Fast 3G: time to interactive",
            value: get("wallet_after_login_fast3g", "ms")?,
            unit: "ms",
            baseline: None,
            target: "",
        },
    ])
}

struct WalletLoad {
    transfers: LoadResult,
    deposits: LoadResult,
    service_transfers: LoadResult,
    /// Mean orders per ledger commit during the deposits and the signed
    /// transfers.
    deposit_batch: f64,
    service_batch: f64,
}

/// `(sum, count)` of the ledger writer's jobs-per-commit summary.
async fn batch_counts(srv: &server::Server) -> Result<(f64, f64), String> {
    use http_body_util::BodyExt;
    let res = send_once(srv.metrics, get("/metrics", &[])).await?;
    let body = res
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    let text = String::from_utf8_lossy(&body);
    let value = |name: &str| {
        text.lines()
            .find_map(|l| {
                l.strip_prefix(name)?
                    .strip_prefix(' ')?
                    .trim()
                    .parse::<f64>()
                    .ok()
            })
            .unwrap_or(0.0)
    };
    Ok((
        value("uc_ledger_batch_orders_sum"),
        value("uc_ledger_batch_orders_count"),
    ))
}

/// Mean jobs per commit between two [`batch_counts`].
fn mean_batch(before: (f64, f64), after: (f64, f64)) -> f64 {
    let commits = after.1 - before.1;
    if commits > 0.0 {
        (after.0 - before.0) / commits
    } else {
        0.0
    }
}

/// Makes a super admin with the `admin create` command, funds every user and
/// sets their PINs, then loads transfers between random pairs and staff
/// deposits, each with unique request ids. Fails unless the ledger audit is
/// clean afterwards.
async fn wallet_measures(
    srv: &server::Server,
    scale: &Scale,
    tokens: &[String],
    user_ids: &[i64],
) -> Result<WalletLoad, String> {
    let addr = srv.addr;
    let admin_password = "bench administrator passphrase";
    srv.admin_create("bench-admin@example.com", admin_password)?;
    let login = post(
        addr,
        "/api/v1/auth/login",
        &json!({ "identifier": "bench-admin@example.com", "password": admin_password }),
        &[],
    )
    .await?;
    let staff = format!(
        "Bearer {}",
        login["token"]
            .as_str()
            .ok_or("admin login returned no token")?
    );
    for (i, (&id, token)) in user_ids.iter().zip(tokens).enumerate() {
        post(
            addr,
            "/api/v1/admin/wallet/deposit",
            &json!({ "user_id": id, "currency": "CNY", "amount": "1000000",
                     "request_id": format!("bench-seed-{i}") }),
            &[("authorization", staff.clone())],
        )
        .await?;
        post(
            addr,
            "/api/v1/wallet/pin",
            &json!({ "pin": PIN, "password": password(i) }),
            &[("authorization", format!("Bearer {token}"))],
        )
        .await?;
    }

    let users = tokens.len();
    if users < 2 {
        return Err("wallet transfers need at least two users".into());
    }
    let bearers: Arc<Vec<String>> =
        Arc::new(tokens.iter().map(|t| format!("Bearer {t}")).collect());
    // Payers take turns, so at most a few of one payer's transfers are in
    // flight at once: every PIN attempt counts as a failure until its hash
    // is checked, and five at once would lock that payer's payments (see
    // domain/src/wallet/pin.rs). Payees are a cheap deterministic scramble,
    // never the payer.
    let transfer: MakeRequest = Arc::new(move |i| {
        let from = i % users;
        let mixed = i.wrapping_mul(2_654_435_761) >> 7;
        let to = (from + 1 + mixed % (users - 1)) % users;
        post_json(
            "/api/v1/wallet/transfers",
            &json!({ "to": format!("bench{to}@example.com"), "currency": "CNY",
                     "amount": "0.01", "request_id": format!("bench-t-{i}"), "pin": PIN }),
            &[("authorization", bearers[from].clone())],
        )
    });
    let transfers = load::run(addr, 64, scale.transfers, transfer).await;
    check_errors("wallet transfers", &transfers)?;

    let ids = Arc::new(user_ids.to_vec());
    let bearer = staff.clone();
    let deposit: MakeRequest = Arc::new(move |i| {
        post_json(
            "/api/v1/admin/wallet/deposit",
            &json!({ "user_id": ids[i % ids.len()], "currency": "CNY", "amount": "1.00",
                     "request_id": format!("bench-d-{i}") }),
            &[("authorization", bearer.clone())],
        )
    });
    let before = batch_counts(srv).await?;
    let deposits = load::run(addr, 64, scale.deposits, deposit).await;
    check_errors("staff deposits", &deposits)?;
    let after_deposits = batch_counts(srv).await?;

    // The service path: signed buyer-to-seller transfers, no PIN.
    let (app_id, secret) = srv.create_app("bench-shop", "wallet:write")?;
    let ids = Arc::new(user_ids.to_vec());
    let service: MakeRequest = Arc::new(move |i| {
        let from = ids[i % ids.len()];
        let to = ids[(i + 1) % ids.len()];
        let body = json!({ "from_user_id": from, "to_user_id": to, "currency": "CNY",
                           "amount": "0.01" })
        .to_string();
        let path = "/api/v1/service/wallet/transfer";
        let time = time::OffsetDateTime::now_utc().unix_timestamp().to_string();
        let tx = format!("bench-s-{i}");
        let signature = domain::service_apps::sign(
            &secret,
            &domain::service_apps::string_to_sign("POST", path, &time, &tx, body.as_bytes()),
        );
        load::post_raw(
            path,
            body,
            &[
                ("x-app-id", app_id.clone()),
                ("x-req-time", time),
                ("x-transaction-id", tx),
                ("x-sign", signature),
            ],
        )
    });
    let before_service = batch_counts(srv).await?;
    let service_transfers = load::run(addr, 64, scale.service_transfers, service).await;
    check_errors("signed service transfers", &service_transfers)?;
    let after_service = batch_counts(srv).await?;

    let audit = get_json(
        addr,
        "/api/v1/admin/wallet/audit",
        &[("authorization", staff)],
    )
    .await?;
    if audit["clean"] != true {
        return Err(format!("ledger audit after the wallet load: {audit}"));
    }
    Ok(WalletLoad {
        transfers,
        deposits,
        service_transfers,
        deposit_batch: mean_batch(before, after_deposits),
        service_batch: mean_batch(before_service, after_service),
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn kib(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

fn check_errors(what: &str, r: &LoadResult) -> Result<(), String> {
    if r.errors > 0 {
        return Err(format!(
            "{what}: {} of {} requests failed",
            r.errors, r.requests
        ));
    }
    Ok(())
}

/// Sets a real name and a passport number on the token's account, so its
/// reads decrypt them.
async fn give_personal_data(addr: std::net::SocketAddr, token: &str) -> Result<(), String> {
    let body =
        json!({ "real_name": "Bench Holder", "id_type": "passport", "id_number": "E1234567" });
    let req = hyper::Request::patch("/api/v1/me/profile")
        .header("host", "127.0.0.1")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(http_body_util::Full::new(bytes::Bytes::from(
            body.to_string(),
        )))
        .map_err(|e| e.to_string())?;
    request(addr, "/api/v1/me/profile", req).await.map(drop)
}

async fn post(
    addr: std::net::SocketAddr,
    path: &str,
    body: &serde_json::Value,
    headers: &[(&str, String)],
) -> Result<serde_json::Value, String> {
    request(addr, path, post_json(path, body, headers)).await
}

async fn get_json(
    addr: std::net::SocketAddr,
    path: &str,
    headers: &[(&str, String)],
) -> Result<serde_json::Value, String> {
    request(addr, path, get(path, headers)).await
}

/// Sends one request on a fresh connection, as a browser's first request.
async fn send_once(
    addr: std::net::SocketAddr,
    req: hyper::Request<http_body_util::Full<bytes::Bytes>>,
) -> Result<hyper::Response<hyper::body::Incoming>, String> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    sender.send_request(req).await.map_err(|e| e.to_string())
}

/// Sends one request on a fresh connection; a non-2xx answer is an error.
async fn request(
    addr: std::net::SocketAddr,
    path: &str,
    req: hyper::Request<http_body_util::Full<bytes::Bytes>>,
) -> Result<serde_json::Value, String> {
    use http_body_util::BodyExt;
    let res = send_once(addr, req).await?;
    let status = res.status();
    let bytes = res
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    if !status.is_success() {
        return Err(format!(
            "{path}: {status} {}",
            String::from_utf8_lossy(&bytes)
        ));
    }
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}

fn render(rows: &[Row]) -> String {
    let mut out = String::from(
        "| measure | value | baseline (same run) | ratio | target |\n|---|---:|---|---:|---|\n",
    );
    for r in rows {
        let (baseline, ratio) = match (r.baseline, r.ratio()) {
            // Small ratios keep their digits: 0.0013, not 0.00.
            (Some((b, what)), Some(ratio)) if ratio > 0.0 && ratio < 0.01 => {
                (format!("{b:.1} {what}"), format!("{ratio:.4}"))
            }
            (Some((b, what)), Some(ratio)) => (format!("{b:.1} {what}"), format!("{ratio:.2}")),
            _ => (String::new(), String::new()),
        };
        out.push_str(&format!(
            "| {} | {:.1} {} | {} | {} | {} |\n",
            r.measure, r.value, r.unit, baseline, ratio, r.target
        ));
    }
    out
}

fn record(path: &std::path::Path, table: &str) -> std::io::Result<()> {
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let now = time::OffsetDateTime::now_utc();
    let date = format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        now.year(),
        now.month() as u8,
        now.day(),
        now.hour(),
        now.minute()
    );
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    writeln!(
        f,
        "\n## {date} — commit {commit} — {cores} × {cpu}\n\n{table}"
    )
}
