//! The two storage engines behind one set of storage functions.
//!
//! Why an enum and a trait object rather than a generic `UserCenter<DB>`:
//! the engine is chosen at start from `DATABASE_URL`, one binary serves
//! both, and the domain above the storage layer must not change with the
//! engine. Every storage function takes `&mut Conn` (a connection or an open
//! transaction of either engine) and picks its statement with
//! [`Engine::engine`], so `&mut *tx` and `&mut *conn` read the same in the
//! domain whichever engine runs underneath.

use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};
use std::ops::{Deref, DerefMut};

/// A connection of either engine, borrowed for one statement.
pub enum EngineConn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// What a storage function's `conn` can be: a connection of either engine.
pub trait Engine: Send + 'static {
    #[doc(hidden)]
    fn engine(&mut self) -> EngineConn<'_>;
}

impl Engine for SqliteConnection {
    fn engine(&mut self) -> EngineConn<'_> {
        EngineConn::Sqlite(self)
    }
}

impl Engine for PgConnection {
    fn engine(&mut self) -> EngineConn<'_> {
        EngineConn::Postgres(self)
    }
}

/// A connection or an open transaction (`&mut *tx`) of either engine.
pub type Conn = dyn Engine;

/// The database the server opened: one pool of either engine.
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Pool {
    /// A connection from the pool.
    pub async fn acquire(&self) -> super::StoreResult<PooledConn> {
        Ok(match self {
            Pool::Sqlite(p) => PooledConn::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => PooledConn::Postgres(p.acquire().await?),
        })
    }

    /// A read-only view of one moment (the auditor's): SQLite's WAL gives
    /// any transaction a single snapshot; PostgreSQL needs REPEATABLE READ.
    pub async fn begin_read(&self) -> super::StoreResult<Tx<'static>> {
        Ok(match self {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Pool::Postgres(p) => Tx::Postgres(
                p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            ),
        })
    }

    /// The connections the pool holds, and how many of those are idle.
    pub fn usage(&self) -> (u32, usize) {
        match self {
            Pool::Sqlite(p) => (p.size(), p.num_idle()),
            Pool::Postgres(p) => (p.size(), p.num_idle()),
        }
    }

    /// Which engine this is, for logs and the readiness answer.
    pub fn engine_name(&self) -> &'static str {
        match self {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    /// The SQLite pool, for tests and tools that read the file directly.
    /// Panics on PostgreSQL: callers are SQLite-only by construction.
    pub fn as_sqlite(&self) -> &SqlitePool {
        match self {
            Pool::Sqlite(p) => p,
            Pool::Postgres(_) => panic!("a SQLite pool was expected"),
        }
    }

    /// Closes every connection (before the process ends, so SQLite can
    /// checkpoint its WAL and PostgreSQL sees clean disconnects).
    pub async fn close(&self) {
        match self {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

/// A connection taken from a [`Pool`]; `&mut *conn` is a [`Conn`].
pub enum PooledConn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl PooledConn {
    /// Takes the connection out of the pool for good (the ledger writer's
    /// own connection); the pool opens another in its place.
    pub(crate) fn detach(self) -> OwnConn {
        match self {
            PooledConn::Sqlite(c) => OwnConn::Sqlite(c.detach()),
            PooledConn::Postgres(c) => OwnConn::Postgres(c.detach()),
        }
    }
}

impl Deref for PooledConn {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        match self {
            PooledConn::Sqlite(c) => &**c,
            PooledConn::Postgres(c) => &**c,
        }
    }
}

impl DerefMut for PooledConn {
    fn deref_mut(&mut self) -> &mut Conn {
        match self {
            PooledConn::Sqlite(c) => &mut **c,
            PooledConn::Postgres(c) => &mut **c,
        }
    }
}

/// A connection outside any pool (see [`PooledConn::detach`]).
pub(crate) enum OwnConn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Deref for OwnConn {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        match self {
            OwnConn::Sqlite(c) => c,
            OwnConn::Postgres(c) => c,
        }
    }
}

impl DerefMut for OwnConn {
    fn deref_mut(&mut self) -> &mut Conn {
        match self {
            OwnConn::Sqlite(c) => c,
            OwnConn::Postgres(c) => c,
        }
    }
}

/// An open write transaction of either engine; `&mut *tx` is a [`Conn`].
/// Dropped without [`Tx::commit`], it rolls back.
pub enum Tx<'c> {
    Sqlite(Transaction<'c, Sqlite>),
    Postgres(Transaction<'c, Postgres>),
}

impl Tx<'_> {
    /// A nested transaction (a SAVEPOINT on either engine): its writes go
    /// or stay together, inside this one.
    pub async fn savepoint(&mut self) -> super::StoreResult<Tx<'_>> {
        use sqlx::Connection;
        Ok(match self {
            Tx::Sqlite(t) => Tx::Sqlite((**t).begin().await?),
            Tx::Postgres(t) => Tx::Postgres((**t).begin().await?),
        })
    }

    pub async fn commit(self) -> super::StoreResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }

    pub async fn rollback(self) -> super::StoreResult<()> {
        match self {
            Tx::Sqlite(t) => t.rollback().await,
            Tx::Postgres(t) => t.rollback().await,
        }
    }
}

impl Deref for Tx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        match self {
            Tx::Sqlite(t) => &**t,
            Tx::Postgres(t) => &**t,
        }
    }
}

impl DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        match self {
            Tx::Sqlite(t) => &mut **t,
            Tx::Postgres(t) => &mut **t,
        }
    }
}

// `&mut tx` and `&mut conn` (without the `*`) read as a `Conn` too, as they
// did when they dereferenced to a SQLite connection.
impl Engine for Tx<'static> {
    fn engine(&mut self) -> EngineConn<'_> {
        (**self).engine()
    }
}

impl Engine for PooledConn {
    fn engine(&mut self) -> EngineConn<'_> {
        (**self).engine()
    }
}

impl Engine for OwnConn {
    fn engine(&mut self) -> EngineConn<'_> {
        (**self).engine()
    }
}
