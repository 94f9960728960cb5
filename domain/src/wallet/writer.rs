//! The ledger writer: one task posts every money movement, many per
//! transaction (group commit).
//!
//! Why: with `synchronous=FULL` every COMMIT costs an fsync, and SQLite has
//! one writer at a time. When each request opened its own `BEGIN IMMEDIATE`,
//! the write lock sat idle between commits while waiters slept in SQLite's
//! busy handler, and every movement paid one fsync of its own. Here callers
//! queue their validated orders; the writer drains whatever is queued (one
//! order when idle, up to [`MAX_BATCH`] under load), posts them in arrival
//! order inside ONE write transaction, and commits once: one fsync per batch,
//! durability unchanged.
//!
//! The orders are applied in arrival order, each against the state the
//! earlier orders of the batch left, and written set-based (see
//! [`super::batch`]): a refused order (insufficient funds, a flag off, an
//! idempotency conflict) is answered with its error and changes nothing, and
//! its neighbours go on. Receipts are sent only
//! after the COMMIT that contains them, so an acknowledged movement survives
//! `kill -9` and power loss. If the batch itself fails (the disk is full, the
//! COMMIT fails), every order in it is answered with that failure and none
//! of them moved money.
//!
//! Idempotency records, journal rows, balances and staff audit rows are
//! written in the batch's transaction, so they commit with the movement.
//!
//! The same batches record the transaction ids of signed non-wallet calls
//! (the replay window), so those reads no longer commit on their own, and
//! purge the ids that left the window once a minute.

use super::batch::{post_batch, Entry};
use super::ledger::Order;
use crate::caller::Operator;
use crate::{store, Clock, DomainError};
use futures_util::FutureExt;
use shared::wallet::Receipt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// The most orders one transaction posts. Large enough that the fsync is
/// shared by hundreds of orders under load, small enough that the write
/// lock is held for milliseconds (other writers wait on it).
pub(crate) const MAX_BATCH: usize = 256;

/// Orders waiting for the writer; a full queue makes callers wait (back
/// pressure) instead of growing without bound.
const QUEUE: usize = 4096;

/// One queued piece of work and where its answer goes. (Orders dominate;
/// jobs move through one reused batch vector, so the variants stay unboxed.)
#[allow(clippy::large_enum_variant)]
enum Job {
    /// A money movement.
    Order {
        order: Order,
        /// Staff who made the movement (audited with it); `None` for
        /// services, users paying and imports.
        staff: Option<Operator>,
        reply: oneshot::Sender<Result<Receipt, DomainError>>,
    },
    /// A signed call's transaction id, recorded for the replay window:
    /// `true` when it is new. Written in the batches, so a signed read costs
    /// no transaction and no fsync of its own.
    Seen {
        app_id: String,
        transaction_id: String,
        reply: oneshot::Sender<Result<bool, DomainError>>,
    },
}

/// What a job's work gave, before the batch commits.
#[allow(clippy::large_enum_variant)]
enum Done {
    Order(Result<Receipt, DomainError>),
    Seen(bool),
}

/// The handle callers post through; cheap to clone. The task ends when the
/// last handle is dropped.
#[derive(Clone)]
pub(crate) struct LedgerWriter {
    queue: mpsc::Sender<Job>,
}

impl LedgerWriter {
    /// Starts the writer task on the current runtime.
    pub(crate) fn spawn(pool: store::Pool, clock: Arc<dyn Clock>) -> Self {
        let (queue, jobs) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, clock, jobs));
        LedgerWriter { queue }
    }

    /// Posts one order and waits for the COMMIT that contains it.
    pub(super) async fn post(
        &self,
        order: Order,
        staff: Option<Operator>,
    ) -> Result<Receipt, DomainError> {
        let (reply, answer) = oneshot::channel();
        let job = Job::Order {
            order,
            staff,
            reply,
        };
        self.queue.send(job).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Records a signed call's transaction id; `false` if the app used it
    /// within the window already (a replay). Answers after the COMMIT.
    pub(crate) async fn record_transaction(
        &self,
        app_id: &str,
        transaction_id: &str,
    ) -> Result<bool, DomainError> {
        let (reply, answer) = oneshot::channel();
        let job = Job::Seen {
            app_id: app_id.to_string(),
            transaction_id: transaction_id.to_string(),
            reply,
        };
        self.queue.send(job).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Queues an order without waiting, so a test can fill one batch in a
    /// known order before the writer runs.
    #[cfg(test)]
    pub(super) fn queue_now(
        &self,
        order: Order,
    ) -> oneshot::Receiver<Result<Receipt, DomainError>> {
        let (reply, answer) = oneshot::channel();
        let job = Job::Order {
            order,
            staff: None,
            reply,
        };
        assert!(self.queue.try_send(job).is_ok(), "the queue has room");
        answer
    }
}

fn stopped() -> DomainError {
    super::internal("the ledger writer stopped")
}

/// How long transaction ids are kept: a request carrying an older one is
/// refused as expired anyway (its time is signed).
const REPLAY_WINDOW: i64 = 2 * crate::service_apps::MAX_CLOCK_SKEW_SECS;

/// How often the ids that left the window are deleted (in a batch).
const PURGE_EVERY: i64 = 60;

async fn run(pool: store::Pool, clock: Arc<dyn Clock>, mut jobs: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut purged_at = i64::MIN;
    // The writer's own connection, taken out of the pool (which opens
    // another in its place): it never waits for the readers' connections,
    // and they never wait for it. Dropped after a failed batch (its state is
    // then unknown) and opened again for the next.
    let mut own: Option<store::OwnConn> = None;
    while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
        metrics::histogram!("uc_ledger_batch_orders").record(batch.len() as f64);
        let now = clock.now();
        let purge = (now.saturating_sub(purged_at) >= PURGE_EVERY).then_some(now - REPLAY_WINDOW);
        let attempt = async {
            match own.as_mut() {
                Some(conn) => commit_batch(conn, now, purge, &batch).await,
                None => match pool.acquire().await {
                    Ok(conn) => {
                        let conn = own.insert(conn.detach());
                        commit_batch(conn, now, purge, &batch).await
                    }
                    Err(e) => Err(e.into()),
                },
            }
        };
        // A bug that panics fails its batch (nothing of it committed: the
        // transaction is dropped), not every later movement.
        let outcome = AssertUnwindSafe(attempt)
            .catch_unwind()
            .await
            .unwrap_or_else(|_| Err(super::internal("a ledger batch panicked")));
        if outcome.is_err() {
            own = None;
        }
        match outcome {
            Ok(done) => {
                if purge.is_some() {
                    purged_at = now;
                }
                for (job, done) in batch.drain(..).zip(done) {
                    answer(job, done);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, jobs = batch.len(), "ledger batch not committed");
                for job in batch.drain(..) {
                    fail(job, &e);
                }
            }
        }
    }
}

// The caller may have gone (a dropped request); what it asked for stands.
fn answer(job: Job, done: Done) {
    match (job, done) {
        (Job::Order { order, reply, .. }, Done::Order(result)) => {
            count(&order, &result);
            let _ = reply.send(result);
        }
        (Job::Seen { reply, .. }, Done::Seen(fresh)) => {
            let _ = reply.send(Ok(fresh));
        }
        (job, _) => fail(job, &super::internal("ledger writer: answers out of step")),
    }
}

/// Answers a job of a batch that did not commit: a full disk stays
/// `STORAGE_FULL`, anything else is internal (an error is not `Clone`).
fn fail(job: Job, e: &DomainError) {
    let kind = match e.code() {
        shared::ErrorCode::StorageFull => std::io::ErrorKind::StorageFull,
        _ => std::io::ErrorKind::Other,
    };
    let error = || DomainError::Io(std::io::Error::new(kind, format!("ledger batch: {e}")));
    match job {
        Job::Order { order, reply, .. } => {
            let error = Err(error());
            count(&order, &error);
            let _ = reply.send(error);
        }
        Job::Seen { reply, .. } => {
            let _ = reply.send(Err(error()));
        }
    }
}

/// Does the batch's work in one transaction, in order; `Err` when the
/// batch as a whole failed and nothing of it was committed.
async fn commit_batch(
    conn: &mut store::OwnConn,
    now: i64,
    purge_before: Option<i64>,
    batch: &[Job],
) -> Result<Vec<Done>, DomainError> {
    // `now` was read before the lock; the journal's times still rise with
    // its ids, because this task writes every movement (but an import's
    // opening balances, which carry the import's own time).
    let mut tx = store::begin_write_on(conn).await?;
    if let Some(before) = purge_before {
        store::service_apps::forget_transactions(&mut *tx, before).await?;
    }
    let entries: Vec<Entry<'_>> = batch
        .iter()
        .filter_map(|job| match job {
            Job::Order { order, staff, .. } => Some(Entry {
                order,
                staff: staff.as_ref(),
                scope: order.actor.scope(),
            }),
            Job::Seen { .. } => None,
        })
        .collect();
    let mut posted = post_batch(&mut *tx, &entries, now).await?.into_iter();
    let mut done = Vec::with_capacity(batch.len());
    for job in batch {
        done.push(match job {
            Job::Order { .. } => Done::Order(
                posted
                    .next()
                    .unwrap_or_else(|| Err(super::internal("an order was not answered"))),
            ),
            Job::Seen {
                app_id,
                transaction_id,
                ..
            } => Done::Seen(
                store::service_apps::record_transaction(&mut *tx, app_id, transaction_id, now)
                    .await?,
            ),
        });
    }
    tx.commit().await?;
    Ok(done)
}

/// Counts an order once its batch committed or failed.
fn count(order: &Order, answer: &Result<Receipt, DomainError>) {
    let result = match answer {
        Ok(r) if r.replayed => "replayed",
        Ok(_) => "posted",
        Err(e) => e.code().as_str(),
    };
    metrics::counter!("uc_ledger_orders_total", "kind" => order.kind.as_str(), "result" => result)
        .increment(1);
}
