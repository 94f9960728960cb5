//! The user center binary: reads configuration, opens the database, and
//! serves the web UI, the server functions and the REST API.

#[cfg(test)]
mod activation_tests;
mod admin_cli;
mod assets;
#[cfg(test)]
mod assets_tests;
#[cfg(test)]
mod authorization_tests;
mod compat;
mod config;
#[cfg(test)]
mod edge_tests;
mod import_cli;
#[cfg(test)]
mod import_tests;
mod keys_cli;
#[cfg(test)]
mod locale_tests;
mod media_files;
#[cfg(test)]
mod media_tests;
mod messaging_config;
mod middleware;
mod move_cli;
#[cfg(test)]
mod notification_tests;
mod observability;
#[cfg(test)]
mod openapi_tests;
#[cfg(test)]
mod privacy_tests;
#[cfg(test)]
mod profile_tests;
mod rest;
#[cfg(test)]
mod service_reads_tests;
#[cfg(test)]
mod service_tests;
#[cfg(test)]
mod session_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod wallet_tests;

use app::{shell, App};
use axum::extract::{DefaultBodyLimit, FromRef, Request, State};
use axum::http::{Extensions, HeaderMap, StatusCode, Uri, Version};
use axum::serve::ListenerExt;
use axum::Router;
use clap::Parser;
use config::{Command, Config};
use domain::{Settings, UserCenter};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::time::Duration;
use tower_http::compression::predicate::{DefaultPredicate, Predicate as _};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tracing_subscriber::EnvFilter;

/// Largest JSON body the REST API reads.
const JSON_BODY_LIMIT: usize = 64 * 1024;
/// Hard cap on any request body.
const REQUEST_BODY_LIMIT: usize = 1024 * 1024;

#[derive(Clone, FromRef)]
struct AppState {
    leptos_options: LeptosOptions,
    uc: UserCenter,
}

/// Each argon2id hash allocates a 19 MiB buffer. glibc's dynamic mmap
/// threshold would soon serve those from per-thread arenas that keep the
/// memory after the hash is done (hundreds of MiB under a login storm); a
/// fixed threshold keeps such buffers in their own mappings, returned to the
/// system when freed.
fn bound_allocator_retention() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}

fn main() {
    bound_allocator_retention();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(async_main()),
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    }
}

async fn async_main() {
    let _ = dotenvy::dotenv();
    let config = Config::parse();
    let admin = matches!(
        config.command,
        Some(
            Command::Admin { .. }
                | Command::Import { .. }
                | Command::Export { .. }
                | Command::Keys { .. }
        )
    );
    if admin {
        // Standard output carries the command's result only (one line, or the
        // import's report), and the start-up chatter stays out of the
        // operator's way unless asked for.
        let filter = if std::env::var_os("RUST_LOG").is_none() && config.log == "info" {
            "warn"
        } else {
            &config.log
        };
        tracing_subscriber::fmt()
            .with_env_filter(EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("warn")))
            .with_writer(std::io::stderr)
            .init();
    } else {
        let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
        if config.log_format == "json" {
            tracing_subscriber::fmt()
                .json()
                .with_env_filter(filter)
                .init();
        } else {
            tracing_subscriber::fmt().with_env_filter(filter).init();
        }
    }
    if let Err(e) = run(config).await {
        // An operator command's error is its answer, printed once below.
        if !admin {
            tracing::error!("{e}");
        }
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    config.check()?;
    std::fs::create_dir_all(&config.data_dir)?;
    let pool = domain::db::connect(&config.database_url()).await?;
    if let Some(Command::Migrate) = config.command {
        tracing::info!("migrations applied");
        return Ok(());
    }
    let secret = match &config.jwt_secret {
        Some(s) => s.as_bytes().to_vec(),
        None => domain::secret::load_or_create(&config.data_dir.join("jwt-secret"))?,
    };
    let settings = Settings {
        access_ttl: Duration::from_secs(config.access_ttl_secs.max(1)),
        refresh_ttl: Duration::from_secs(config.refresh_ttl_secs.max(config.access_ttl_secs)),
        session_max: Duration::from_secs(config.session_max_secs.max(config.access_ttl_secs)),
        lockout: config.lockout(),
        throttle: config.throttle(),
        codes: config.codes.settings(),
        unbound_device_needs_code: config.unbound_device_needs_code,
        closed_contact_grace: Duration::from_secs(
            config.closed_contact_grace_days.saturating_mul(24 * 3600),
        ),
        media_dir: Some(config.data_dir.join("media")),
        uploads: config.uploads(),
        password_digests: config.compat.settings().digest_schemes(),
        public_url: config.public_url.clone(),
        notifications: config.notify.settings(),
        data_key: Some(match &config.data_key {
            Some(key) => domain::vault::DataKey::from_base64(key.expose())?,
            None => domain::vault::DataKey::load_or_create(&config.data_dir.join("data-key"))?,
        }),
        ..Settings::default()
    };
    if !settings.codes.require_contact_code {
        tracing::warn!(
            "UC_REQUIRE_CONTACT_CODE=false: sign-up trusts every contact it is given without \
             a code (someone else's phone number included); for development only"
        );
    }
    let messenger = config
        .delivery
        .messenger(&config.data_dir, config.secure_cookies)?;
    let moving = match &config.command {
        Some(Command::Import {
            from: Some(url), ..
        }) => Some((domain::db::connect(url).await?, pool.clone())),
        Some(Command::Export { to }) => Some((pool.clone(), domain::db::connect(to).await?)),
        _ => None,
    };
    if let Some((from, to)) = moving {
        println!(
            "{}",
            move_cli::run(&from, &to, &secret, settings, messenger).await?
        );
        return Ok(());
    }
    let uc = UserCenter::new(pool, &secret, settings, messenger)?;
    // A wrong data key stops every command here, before anything is read.
    uc.open_vault().await?;
    if let Some(Command::Keys { command }) = config.command.clone() {
        println!("{}", keys_cli::run(&uc, command).await?);
        return Ok(());
    }
    if let Some(Command::Admin { command }) = config.command.clone() {
        let line = admin_cli::run(&uc, command, std::io::stdin().lock()).await?;
        println!("{line}");
        return Ok(());
    }
    if let Some(Command::Import {
        command: Some(command),
        ..
    }) = config.command.clone()
    {
        let outcome = import_cli::run(&uc, command, std::io::stderr().lock()).await?;
        print!("{}", outcome.report);
        return match outcome.failure {
            Some(failure) => Err(failure.into()),
            None => Ok(()),
        };
    }
    match uc.remove_orphan_media().await {
        Ok(0) => {}
        Ok(removed) => tracing::warn!(removed, "media files of interrupted uploads removed"),
        Err(e) => tracing::error!(error = %e, "could not check the media directory for orphans"),
    }
    tokio::spawn(sweep_documents(uc.clone()));
    // On PostgreSQL: the other servers' changes reach this one's caches.
    {
        let uc = uc.clone();
        tokio::spawn(async move { uc.follow_other_servers().await });
    }
    tokio::spawn(keys_cli::reseal_in_background(uc.clone()));
    tokio::spawn(deliver_notices(uc.clone(), NOTICE_ROUND_EVERY));
    let conf = get_configuration(None)?;
    let mut leptos_options = conf.leptos_options;
    hashed_names_of_this_build(&mut leptos_options);
    if let Some(bind) = config.bind {
        leptos_options.site_addr = bind;
    }
    let edge = config.edge(
        leptos_options
            .reload_external_port
            .unwrap_or(leptos_options.reload_port),
    );
    if edge.public_origin.is_none() && !edge.trusted_proxies.is_empty() {
        tracing::warn!(
            "UC_TRUSTED_PROXIES is set but UC_PUBLIC_URL is not: the site's origin is taken from \
             each request's Host header, which the proxy must pass through unchanged"
        );
    }
    let addr = leptos_options.site_addr;
    let state = AppState {
        leptos_options,
        uc: uc.clone(),
    };
    let app = router(state, edge, &config.compat.settings());
    if let Some(metrics_addr) = config.metrics_bind {
        let handle = observability::install_recorder()?;
        let uc = uc.clone();
        tokio::spawn(async move {
            if let Err(e) = observability::serve_metrics(metrics_addr, handle, uc).await {
                tracing::error!("metrics listener on {metrics_addr} failed: {e}");
            }
        });
    }

    // Without TCP_NODELAY, a page streamed in several chunks waits on delayed
    // ACKs (~40 ms a page).
    let listener = tokio::net::TcpListener::bind(&addr).await?.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("cannot set TCP_NODELAY: {e}");
        }
    });
    tracing::info!("listening on http://{addr}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    Ok(())
}

/// A binary that cargo-leptos built with `hash-files = true` names the
/// site's script, WASM and stylesheet by their hashes (read from
/// `hash.txt` beside the binary) even when started on its own, without the
/// `LEPTOS_HASH_FILES` that `cargo leptos serve` sets; that variable, when
/// set, still decides.
fn hashed_names_of_this_build(options: &mut LeptosOptions) {
    if std::env::var_os("LEPTOS_HASH_FILES").is_none()
        && option_env!("LEPTOS_HASH_FILES") == Some("true")
    {
        options.hash_files = true;
        if let (None, Some(name)) = (
            std::env::var_os("LEPTOS_HASH_FILE_NAME"),
            option_env!("LEPTOS_HASH_FILE_NAME"),
        ) {
            options.hash_file = name.into();
        }
    }
    if options.hash_files {
        let beside_binary = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())));
        if !beside_binary.as_ref().is_some_and(|f| f.is_file()) {
            tracing::error!(
                "hashed file names are on, but {} is missing: pages will name the script, WASM \
                 and stylesheet without their hashes, and they will not load; copy it from the \
                 build (it is written next to the server binary)",
                beside_binary.map_or_else(
                    || options.hash_file.to_string(),
                    |f| f.display().to_string()
                )
            );
        }
    }
}

/// How often expired unattached documents are looked for: far below their
/// 24-hour life, so none outlives it by much.
const DOCUMENT_SWEEP_EVERY: Duration = Duration::from_secs(15 * 60);

/// Removes expired unattached documents and erases the closed accounts
/// whose erasure is due, now and every [`DOCUMENT_SWEEP_EVERY`] for as long
/// as the server runs; a failed sweep is logged and retried at the next
/// tick.
async fn sweep_documents(uc: UserCenter) {
    let mut tick = tokio::time::interval(DOCUMENT_SWEEP_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = uc.sweep_unattached_documents().await {
            tracing::warn!(error = %e, "document sweep failed");
        }
        if let Err(e) = uc.erase_due_accounts().await {
            tracing::warn!(error = %e, "erasure of closed accounts failed");
        }
    }
}

/// How often the notice outbox is looked at for notices due again; a
/// notice's own backoff (`UC_NOTIFY_RETRY_SECS`, doubling) decides when it is.
const NOTICE_ROUND_EVERY: Duration = Duration::from_secs(5);

/// Sends the notices that are due (failed ones whose backoff is over, and
/// any an earlier process left unsent) every `every`, for as long as the
/// server runs; a failed round is logged and the next tick tries again.
async fn deliver_notices(uc: UserCenter, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match uc.deliver_due_notifications().await {
            Ok(round) if round != domain::notifications::DeliveryRound::default() => {
                tracing::info!(?round, "notice round");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "notice round failed"),
        }
    }
}

fn router(state: AppState, edge: edge::EdgeSettings, compat: &compat::CompatSettings) -> Router {
    let routes = generate_route_list(App);
    let uc = state.uc.clone();
    let context = move || {
        provide_context(uc.clone());
        // The page's inline scripts carry the nonce the guard put into this
        // response's Content-Security-Policy.
        let facts = use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<edge::RequestFacts>().cloned());
        if let Some(facts) = facts {
            provide_context(leptos::nonce::Nonce::from_value(facts.nonce().0.clone()));
        }
    };
    let rest::Api {
        router: api, media, ..
    } = rest::api();
    let api = api.with_state(state.uc.clone());
    // Image uploads need a larger body than the rest of the site: the media
    // operations carry their own limit (`rest::media::UPLOAD_BODY_LIMIT`)
    // and are merged outside the 1 MiB cap below.
    let media: Router = Router::new()
        .nest("/api/v1", media.with_state(state.uc.clone()))
        .layer(axum::middleware::from_fn(rest::media::close_after_refusal));
    // The seed systems' own APIs, when `UC_COMPAT` turns them on.
    let compat = compat::routes(&state.uc, compat);
    Router::new()
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .route(
            "/readyz",
            axum::routing::get(observability::readyz).with_state(state.uc.clone()),
        )
        .nest("/api/v1", api)
        // Public avatar files: static content, not an API operation.
        .merge(media_files::routes())
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback({
            // Stored files first (precompressed, cache headers: see
            // `assets`), else the app's 404 page.
            let not_found =
                leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell);
            move |uri: Uri, State(state): State<AppState>, req: Request| {
                let not_found = not_found.clone();
                async move {
                    let options = &state.leptos_options;
                    let served =
                        assets::serve(&options.site_root, &options.site_pkg_dir, req).await;
                    match served {
                        Ok(res) => res,
                        Err(req) => not_found(uri, State(state), req).await,
                    }
                }
            }
        })
        .with_state(state)
        .merge(compat)
        .layer(axum::middleware::from_fn(middleware::server_fn_status))
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            REQUEST_BODY_LIMIT,
        ))
        .merge(media)
        // Every routed request by route pattern (a no-op without UC_METRICS_BIND).
        .route_layer(axum::middleware::from_fn(observability::track_requests))
        // Outermost, so every route (the media uploads included) is guarded.
        .layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::new(edge),
            edge::guard,
        ))
        .layer(compression())
}

/// Compresses answers on the fly (brotli or gzip, as `Accept-Encoding`
/// allows): pages, streamed as they render, and JSON. Not stored files,
/// which carry their own compressed copies, nor images (already
/// compressed), nor anything under 32 bytes.
fn compression() -> CompressionLayer<impl tower_http::compression::Predicate> {
    let not_stored = |_: StatusCode, _: Version, _: &HeaderMap, ext: &Extensions| {
        ext.get::<assets::StoredFile>().is_none()
    };
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        // Brotli 4 compresses a page about as well as gzip -9, and a
        // page's worth of it takes a fraction of a millisecond (the default,
        // 11, takes milliseconds a page).
        .quality(CompressionLevel::Precise(4))
        .compress_when(DefaultPredicate::new().and(not_stored))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
