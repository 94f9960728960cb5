//! Baselines measured in the same run as the product: what the hardware does
//! without the product around it.

use crate::load::LoadResult;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::SaltString;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Raw argon2id hashes per second at the production setting (19 MiB, t=2,
/// p=1), one thread per core, for about `duration`.
pub fn argon2_hashes_per_sec(threads: usize, duration: Duration) -> f64 {
    let started = Instant::now();
    let total: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(move || {
                    let params = Params::new(19 * 1024, 2, 1, None).expect("valid params");
                    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
                    let mut n = 0;
                    while n == 0 || started.elapsed() < duration {
                        let salt = SaltString::generate(&mut OsRng);
                        let _ = argon.hash_password(b"benchmark password", &salt);
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    total as f64 / started.elapsed().as_secs_f64()
}

/// Single-row inserts, each in its own transaction, into a fresh SQLite file
/// in WAL mode at `synchronous=FULL` (the product's settings), from
/// `clients` tasks over a pool of 8 connections through sqlx: the rate the
/// disk and the driver give when every write pays its own fsync, which
/// group commit is measured against.
pub async fn sqlite_single_inserts(clients: usize, total: usize) -> Result<LoadResult, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join("baseline.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .map_err(|e| e.to_string())?;
    sqlx::query("CREATE TABLE rows (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL, memo TEXT)")
        .execute(&pool)
        .await
        .map_err(|e| e.to_string())?;
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients.max(1) {
        let (pool, next) = (pool.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            while next.fetch_add(1, Ordering::Relaxed) < total {
                let t0 = Instant::now();
                let insert = async {
                    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                    sqlx::query("INSERT INTO rows (amount, memo) VALUES (?1, ?2)")
                        .bind(1_i64)
                        .bind("baseline")
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await
                };
                match insert.await {
                    Ok(()) => latencies.push(t0.elapsed()),
                    Err(_) => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    let mut errors = 0;
    for task in tasks {
        let (l, e) = task.await.map_err(|e| e.to_string())?;
        latencies.extend(l);
        errors += e;
    }
    Ok(LoadResult::measured(
        total,
        errors,
        started.elapsed(),
        latencies,
    ))
}
