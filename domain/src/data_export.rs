//! "Download my data" (PIPL arts. 44–45, GDPR art. 15 and 20): one zip with
//! `data.json` (the account, profile, submissions with their full ID
//! numbers, consents, sessions, devices, the events about the user and the
//! whole wallet history) and the user's document photos, decrypted.
//!
//! Only the user's own data goes in: events are those done to the user or
//! by the user to themselves, and staff appear as "staff", never by name.

use crate::consent::consent_of;
use crate::{clock, store, DomainError, UserCenter};
use serde::Serialize;
use shared::admin::AuditAction;
use shared::dto::{DeviceInfo, UserProfile};
use shared::privacy::{Consent, ConsentPurpose};
use shared::wallet::{Balance, HistoryItem, HistoryRequest};
use std::collections::BTreeMap;
use std::io::Write;
use zip::write::SimpleFileOptions;

/// The name of `data.json`'s format, bumped when its shape changes.
pub const EXPORT_FORMAT: &str = "user-center-export/1";

/// Who asked for an export; recorded in the audit log and the archive.
#[derive(Clone, Copy, Debug)]
pub enum ExportedFor<'a> {
    /// The user, signed in.
    Owner(&'a crate::AuthContext),
    /// A signed service app answering the user's request.
    Service(&'a str),
}

#[derive(Serialize)]
struct Archive {
    format: &'static str,
    generated_at: String,
    /// `user`, or `service:<app id>`.
    requested_by: String,
    account: UserProfile,
    /// The account's ID number in full (`account` shows it masked).
    id_number: Option<String>,
    submissions: Vec<Submission>,
    consents: Vec<Consent>,
    sessions: Vec<Session>,
    devices: Vec<DeviceInfo>,
    events: Vec<Event>,
    wallet: Wallet,
    documents: Vec<Document>,
}

#[derive(Serialize)]
struct Submission {
    kind: String,
    state: String,
    real_name: Option<String>,
    id_number: Option<String>,
    document: Option<String>,
    reason: Option<String>,
    submitted_at: String,
    reviewed_at: Option<String>,
}

#[derive(Serialize)]
struct Session {
    label: Option<String>,
    ip: Option<String>,
    device_id: Option<String>,
    created_at: String,
    last_seen_at: String,
}

#[derive(Serialize)]
struct Event {
    at: String,
    action: String,
    /// `you`, `staff`, `service` or `system`.
    by: &'static str,
    /// The service app, when `by` is `service`.
    service: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    details: serde_json::Value,
}

#[derive(Serialize)]
struct Wallet {
    balances: Vec<Balance>,
    /// Every entry per currency, newest first.
    history: BTreeMap<String, Vec<HistoryItem>>,
}

#[derive(Serialize)]
struct Document {
    id: i64,
    kind: String,
    created_at: String,
    /// The photo's path inside the archive.
    file: String,
}

impl UserCenter {
    /// The user's data as a zip archive (see the module docs). Audited as
    /// `data_exported`.
    pub async fn export_personal_data(
        &self,
        user_id: i64,
        requested: ExportedFor<'_>,
    ) -> Result<Vec<u8>, DomainError> {
        let account = self.profile(user_id).await?;
        let vault = self.vault().await?;
        let mut conn = self.pool.acquire().await?;
        let id_number = store::users::by_id(&mut conn, vault, user_id)
            .await?
            .and_then(|r| r.id_number);
        let submissions = store::verifications::all_of(&mut conn, vault, user_id)
            .await?
            .into_iter()
            .map(|v| Submission {
                kind: v.kind,
                state: v.state,
                real_name: v.real_name,
                id_number: v.id_number,
                document: v.document,
                reason: v.reason,
                submitted_at: clock::rfc3339(v.submitted_at),
                reviewed_at: v.reviewed_at.map(clock::rfc3339),
            })
            .collect();
        let consents = store::consents::all_of(&mut conn, user_id)
            .await?
            .into_iter()
            .filter_map(|(purpose, row)| {
                Some(consent_of(ConsentPurpose::parse(&purpose)?, Some(&row)))
            })
            .collect();
        let sessions = store::sessions::list_live(&mut conn, user_id, self.now())
            .await?
            .into_iter()
            .map(|s| Session {
                label: s.label,
                ip: s.ip,
                device_id: s.device_id,
                created_at: clock::rfc3339(s.created_at),
                last_seen_at: clock::rfc3339(s.last_seen_at),
            })
            .collect();
        let events = store::audit::about_user(&mut conn, user_id)
            .await?
            .into_iter()
            .map(|e| {
                let by = match (e.actor_id, &e.actor_app) {
                    (_, Some(_)) => "service",
                    (Some(actor), None) if actor == user_id => "you",
                    (Some(_), None) => "staff",
                    (None, None) => "system",
                };
                let details = serde_json::from_str(&e.details).unwrap_or(serde_json::Value::Null);
                // The address, browser and names of whoever acted on the
                // user are that person's data, not the user's.
                let own = matches!(by, "you" | "system");
                Event {
                    at: clock::rfc3339(e.at),
                    by,
                    action: e.action,
                    service: e.actor_app,
                    ip: e.ip.filter(|_| own),
                    user_agent: e.user_agent.filter(|_| own),
                    details: if own {
                        details
                    } else {
                        without_actors(details)
                    },
                }
            })
            .collect();
        let photos = store::media::documents_of_user(&mut conn, user_id).await?;
        drop(conn);
        let devices = self.list_devices(user_id).await?;
        let wallet = self.wallet_export(user_id).await?;
        let mut documents = Vec::with_capacity(photos.len());
        let mut files = Vec::with_capacity(photos.len());
        for row in photos.into_iter().rev() {
            let file = format!("documents/{}-{}.jpg", row.id, row.kind);
            documents.push(Document {
                id: row.id,
                kind: row.kind.clone(),
                created_at: clock::rfc3339(row.created_at),
                file: file.clone(),
            });
            // The row is in hand: read its file, not the row again.
            files.push((file, self.document_bytes(row).await?.bytes));
        }
        let requested_by = match requested {
            ExportedFor::Owner(_) => "user".to_string(),
            ExportedFor::Service(app) => format!("service:{app}"),
        };
        let archive = Archive {
            format: EXPORT_FORMAT,
            generated_at: clock::rfc3339(self.now()),
            requested_by,
            account,
            id_number,
            submissions,
            consents,
            sessions,
            devices,
            events,
            wallet,
            documents,
        };
        let zip = tokio::task::spawn_blocking(move || write_zip(&archive, &files)).await??;
        let event = match requested {
            ExportedFor::Owner(auth) => {
                crate::audit::AuditEvent::by_user(AuditAction::DataExported, user_id, auth)
            }
            ExportedFor::Service(app) => crate::audit::AuditEvent::by_app(
                AuditAction::DataExported,
                app,
                Some(user_id),
                crate::audit::Whence::default(),
            ),
        };
        self.audit(event.details(serde_json::json!({ "bytes": zip.len() })))
            .await;
        Ok(zip)
    }

    async fn wallet_export(&self, user_id: i64) -> Result<Wallet, DomainError> {
        let balances = self.balances(user_id).await?;
        let mut history = BTreeMap::new();
        for balance in &balances {
            let mut items = Vec::new();
            let mut cursor = None;
            loop {
                let page = self
                    .history(
                        user_id,
                        &HistoryRequest {
                            currency: balance.currency.clone(),
                            cursor,
                            limit: Some(self.settings.wallet.history_max_page),
                            ..HistoryRequest::default()
                        },
                    )
                    .await?;
                items.extend(page.items);
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            history.insert(balance.currency.clone(), items);
        }
        Ok(Wallet { balances, history })
    }
}

/// Details without the fields that name staff (the operator who closed an
/// account through a service, the one who authorised it).
fn without_actors(mut details: serde_json::Value) -> serde_json::Value {
    if let Some(map) = details.as_object_mut() {
        for key in ["operator", "authorised_by", "actor", "staff"] {
            map.remove(key);
        }
    }
    details
}

fn write_zip(archive: &Archive, files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, DomainError> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("data.json", deflated).map_err(zip_error)?;
    serde_json::to_writer_pretty(&mut zip, archive).map_err(std::io::Error::other)?;
    zip.write_all(b"\n")?;
    // JPEGs are compressed already.
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in files {
        zip.start_file(name.as_str(), stored).map_err(zip_error)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish().map_err(zip_error)?.into_inner())
}

fn zip_error(e: zip::result::ZipError) -> DomainError {
    std::io::Error::other(e).into()
}
