//! Who is acting and from where: the plain facts every layer passes down.
//!
//! These types sit at the bottom of the crate (they import nothing of it),
//! so sessions, the audit log, staff functions and the storage layer can
//! all speak of the caller without importing one another.

/// Where a request came from, recorded on its session.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The client's own id for the device, if it sends one.
    pub device_id: Option<String>,
}

/// Who is calling, once a token has been checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthContext {
    pub user_id: i64,
    pub session_id: String,
    /// The caller's IP and user agent when the server knows them, for the
    /// audit log; the token says nothing about them, so the web layer's
    /// caller extractor fills them in.
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl AuthContext {
    /// The same caller, as the web layer saw the request.
    pub fn seen_from(mut self, client: &ClientInfo) -> Self {
        self.ip.clone_from(&client.ip);
        self.user_agent.clone_from(&client.user_agent);
        self
    }
}

/// A member of staff acting (or a user acting on their own account), and
/// from where, for the audit log.
///
/// Such functions take `impl Into<Operator>`: the web layers pass the
/// signed-in [`AuthContext`] (which carries the IP and user agent), tests
/// and the command line a bare user id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    pub id: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl From<i64> for Operator {
    fn from(id: i64) -> Self {
        Operator {
            id,
            ip: None,
            user_agent: None,
        }
    }
}

impl From<&AuthContext> for Operator {
    fn from(auth: &AuthContext) -> Self {
        Operator {
            id: auth.user_id,
            ip: auth.ip.clone(),
            user_agent: auth.user_agent.clone(),
        }
    }
}

/// Where an audited request came from. Every row carries it, whichever web
/// layer (REST, server function, command line) made the call, so the log
/// reads the same for the same act.
#[derive(Clone, Copy, Debug, Default)]
pub struct Whence<'a> {
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

impl<'a> From<&'a ClientInfo> for Whence<'a> {
    fn from(c: &'a ClientInfo) -> Self {
        Whence {
            ip: c.ip.as_deref(),
            user_agent: c.user_agent.as_deref(),
        }
    }
}

impl<'a> From<&'a AuthContext> for Whence<'a> {
    fn from(a: &'a AuthContext) -> Self {
        Whence {
            ip: a.ip.as_deref(),
            user_agent: a.user_agent.as_deref(),
        }
    }
}

impl<'a> From<&'a Operator> for Whence<'a> {
    fn from(op: &'a Operator) -> Self {
        Whence {
            ip: op.ip.as_deref(),
            user_agent: op.user_agent.as_deref(),
        }
    }
}
