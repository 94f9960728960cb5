//! Searching accounts: one filter for the staff console, the signed service
//! API and the seed facades, so the three differ only in what they ask for.
//!
//! Built with `QueryBuilder` because the filter is assembled per request
//! (which text columns, an id list of any length, the order); every value
//! is bound and the SQL fragments come from this file alone.

use super::users::UserRow;
use super::{Conn, EngineConn, StoreResult};
use crate::vault::Vault;
use sqlx::{Database, Encode, QueryBuilder, Type};

/// Where a search text is looked for. Each is a `LIKE … ESCAPE '\'`
/// pattern (see [`contains_pattern`](super::search::contains_pattern)),
/// matched without regard to case on both engines (both sides lowered:
/// PostgreSQL's `LIKE` heeds case).
#[derive(Clone, Copy, Debug)]
pub(crate) enum TextMatch<'a> {
    /// Staff: the email, phone, username and display name, or exactly the
    /// real name or mainland ID number (through their blind indexes: those
    /// two are sealed, so a part of them cannot be searched).
    Anywhere {
        pattern: &'a str,
        real_name_index: &'a str,
        id_number_index: &'a str,
    },
    /// Services: the email, phone, username and display name (never the
    /// real name, which only staff search).
    Public(&'a str),
    /// The name the seed facades show: the display name, else the
    /// username, phone or email.
    ShownName(&'a str),
}

/// The order of a result page.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Order {
    Newest,
    Oldest,
    /// By the shown name, case-folded.
    Name,
    Id,
}

/// Which accounts a search matches; every part given must hold.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct UserFilter<'a> {
    /// Only these accounts.
    pub ids: Option<&'a [i64]>,
    pub text: Option<TextMatch<'a>>,
    /// An account that matches whatever the text says (the text is exactly
    /// its email, phone or username), and comes first.
    pub exact: Option<i64>,
}

/// The same fragments on both engines (each writes its own placeholders).
fn push_where<DB: Database>(q: &mut QueryBuilder<DB>, f: &UserFilter<'_>)
where
    for<'t> &'t str: Encode<'t, DB> + Type<DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
{
    q.push(" FROM users WHERE 1 = 1");
    if let Some(ids) = f.ids {
        if ids.is_empty() {
            q.push(" AND 0 = 1");
        } else {
            q.push(" AND id IN (");
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            list.push_unseparated(")");
        }
    }
    if let Some(text) = f.text {
        q.push(" AND (");
        match text {
            TextMatch::Anywhere {
                pattern: p,
                real_name_index,
                id_number_index,
            } => {
                q.push("LOWER(COALESCE(email, '')) LIKE ")
                    .push_bind(p)
                    .push(" ESCAPE '\\' OR COALESCE(phone, '') LIKE ")
                    .push_bind(p)
                    .push(" ESCAPE '\\' OR COALESCE(username_key, '') LIKE ")
                    .push_bind(p)
                    .push(" ESCAPE '\\' OR LOWER(COALESCE(display_name, '')) LIKE ")
                    .push_bind(p)
                    .push(" ESCAPE '\\' OR real_name_index = ")
                    .push_bind(real_name_index)
                    .push(" OR id_number_index = ")
                    .push_bind(id_number_index);
            }
            TextMatch::Public(p) => {
                q.push("LOWER(email) LIKE LOWER(")
                    .push_bind(p)
                    .push(") ESCAPE '\\' OR phone LIKE ")
                    .push_bind(p)
                    .push(" ESCAPE '\\' OR LOWER(username) LIKE LOWER(")
                    .push_bind(p)
                    .push(") ESCAPE '\\' OR LOWER(display_name) LIKE LOWER(")
                    .push_bind(p)
                    .push(") ESCAPE '\\'");
            }
            TextMatch::ShownName(p) => {
                q.push("LOWER(COALESCE(display_name, username, phone, email)) LIKE LOWER(")
                    .push_bind(p)
                    .push(") ESCAPE '\\'");
            }
        }
        if let Some(exact) = f.exact {
            q.push(" OR id = ").push_bind(exact);
        }
        q.push(")");
    }
}

/// How many accounts match.
pub(crate) async fn count(conn: &mut Conn, f: &UserFilter<'_>) -> StoreResult<i64> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let mut q = QueryBuilder::new("SELECT COUNT(*)");
            push_where(&mut q, f);
            q.build_query_scalar::<i64>().fetch_one(conn).await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let mut q = QueryBuilder::new("SELECT COUNT(*)");
            push_where(&mut q, f);
            q.build_query_scalar::<i64>().fetch_one(conn).await
        },
    }
}

/// One page of the matching accounts.
pub(crate) async fn page(
    conn: &mut Conn,
    vault: &Vault,
    f: &UserFilter<'_>,
    order: Order,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<UserRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let mut q = QueryBuilder::new(concat!("SELECT ", super::users::user_columns!()));
            push_where(&mut q, f);
            q.push(" ORDER BY ");
            if let Some(exact) = f.exact {
                q.push("id = ").push_bind(exact).push(" DESC, ");
            }
            q.push(match order {
                Order::Newest => "created_at DESC, id DESC",
                Order::Oldest => "created_at, id",
                // The real name is sealed, so it cannot order anything.
                Order::Name => "LOWER(COALESCE(display_name, username, email, phone)), id",
                Order::Id => "id",
            });
            q.push(" LIMIT ").push_bind(limit);
            q.push(" OFFSET ").push_bind(offset);
            let rows = q.build_query_as::<UserRow>().fetch_all(&mut *conn).await?;
            let mut opened = Vec::with_capacity(rows.len());
            for row in rows {
                opened.push(row.open(conn, vault).await?);
            }
            Ok(opened)
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let mut q = QueryBuilder::new(concat!("SELECT ", super::users::user_columns!()));
            push_where(&mut q, f);
            q.push(" ORDER BY ");
            if let Some(exact) = f.exact {
                q.push("id = ").push_bind(exact).push(" DESC, ");
            }
            q.push(match order {
                Order::Newest => "created_at DESC, id DESC",
                Order::Oldest => "created_at, id",
                // The real name is sealed, so it cannot order anything.
                Order::Name => "LOWER(COALESCE(display_name, username, email, phone)) COLLATE \"C\", id",
                Order::Id => "id",
            });
            q.push(" LIMIT ").push_bind(limit);
            q.push(" OFFSET ").push_bind(offset);
            let rows = q.build_query_as::<UserRow>().fetch_all(&mut *conn).await?;
            let mut opened = Vec::with_capacity(rows.len());
            for row in rows {
                opened.push(row.open(conn, vault).await?);
            }
            Ok(opened)
        },
    }
}
