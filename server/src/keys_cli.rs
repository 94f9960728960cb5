//! `server keys …`: the data-encryption keys of the personal data, and the
//! server's background re-sealing after a rotation.

use crate::config::KeysCommand;
use domain::vault::rotation::Resealed;
use domain::{DomainError, UserCenter};
use std::time::Duration;

/// Runs one keys command; its one-line answer.
pub async fn run(uc: &UserCenter, command: KeysCommand) -> Result<String, DomainError> {
    Ok(match command {
        KeysCommand::Rotate => {
            let key = uc.rotate_data_key().await?;
            let done = uc.reseal_rows().await?;
            format!(
                "data key {key} is active; re-sealed {}{FILES}",
                counts(done)
            )
        }
        KeysCommand::Reseal => {
            let done = uc.reseal_rows().await?;
            let key = uc.active_data_key().await?;
            format!(
                "data key {key} is active; re-sealed {}{FILES}",
                counts(done)
            )
        }
        KeysCommand::Status => {
            let status = uc.key_status().await?;
            format!(
                "data key {} is active; not yet sealed under it: {}",
                status.active,
                counts(status.pending)
            )
        }
    })
}

/// The CLI re-seals rows only: files belong to the server, which holds the
/// lock that keeps uploads, sweeps and re-sealing of a file apart.
const FILES: &str = "; the server re-seals the document photos (within a minute while it \
                     runs, else at its next start)";

fn counts(r: Resealed) -> String {
    format!(
        "{} users, {} verifications, {} documents",
        r.users, r.verifications, r.documents
    )
}

/// How often a running server looks for a key added by `server keys
/// rotate` in another process.
const KEY_CHECK_EVERY: Duration = Duration::from_secs(60);

/// At start, seals what is not sealed under the active key (records from
/// before encryption, a rotation a kill interrupted); then, whenever
/// another process adds a key, re-seals under it. Failures are logged and
/// retried at the next check.
pub async fn reseal_in_background(uc: UserCenter) {
    let mut done_for: Option<i64> = None;
    let mut tick = tokio::time::interval(KEY_CHECK_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let active = match uc.active_data_key().await {
            Ok(active) => active,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the data keys");
                continue;
            }
        };
        if done_for == Some(active) {
            continue;
        }
        match uc.reseal_all(None).await {
            Ok(done) => {
                if done.any() {
                    tracing::info!(
                        key = active,
                        users = done.users,
                        verifications = done.verifications,
                        documents = done.documents,
                        "personal data re-sealed under the active data key"
                    );
                }
                done_for = Some(active);
            }
            Err(e) => tracing::warn!(error = %e, "re-sealing personal data failed"),
        }
    }
}
