//! Starts the user center on a fresh temporary data directory and watches
//! its memory.

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    /// The Prometheus listener (`UC_METRICS_BIND`).
    pub metrics: SocketAddr,
    binary: PathBuf,
    data_dir: PathBuf,
    /// `DATABASE_URL`, when not the data directory's SQLite file.
    database_url: Option<String>,
    /// Whether dropping this server removes the data directory (the last of
    /// several servers sharing it does).
    owns_data_dir: bool,
}

impl Server {
    pub fn start(binary: &Path, site_root: &Path) -> Result<Server, String> {
        Server::start_on(binary, site_root, None, None)
    }

    /// A server on `database_url` (SQLite in its own data directory when
    /// `None`), in `shared_dir` when several servers share one directory (its
    /// secrets, data key and media), else a new one.
    pub fn start_on(
        binary: &Path,
        site_root: &Path,
        database_url: Option<&str>,
        shared_dir: Option<&Path>,
    ) -> Result<Server, String> {
        let free_port = || {
            TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .map_err(|e| format!("no free port: {e}"))
        };
        let port = free_port()?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let metrics = SocketAddr::from(([127, 0, 0, 1], free_port()?));
        let data_dir = match shared_dir {
            Some(dir) => dir.to_path_buf(),
            None => std::env::temp_dir().join(format!("uc-bench-{}-{port}", std::process::id())),
        };
        let mut command = Command::new(binary);
        if let Some(url) = database_url {
            command.env("DATABASE_URL", url);
        }
        let child = command
            .env("UC_BIND", addr.to_string())
            .env("UC_DATA_DIR", &data_dir)
            .env("UC_METRICS_BIND", metrics.to_string())
            .env("LEPTOS_SITE_ROOT", site_root)
            .env("LEPTOS_OUTPUT_NAME", "user-center")
            .env("RUST_LOG", "error")
            // The benchmark seeds users through the API, without codes.
            .env("UC_REQUIRE_CONTACT_CODE", "false")
            .env("UC_CAPTCHA_AFTER_FAILURES", "1000000")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let server = Server {
            child,
            addr,
            metrics,
            binary: binary.to_path_buf(),
            data_dir,
            database_url: database_url.map(str::to_string),
            owns_data_dir: shared_dir.is_none(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(addr).is_err() {
            if Instant::now() > deadline {
                return Err("server did not start listening within 30 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    /// Runs `server admin create` on the running server's data directory (the
    /// way an operator makes the first administrator), the password on stdin.
    /// Returns the command's one-line answer.
    pub fn admin_create(&self, email: &str, password: &str) -> Result<String, String> {
        self.admin(
            &["create", "--email", email, "--password-stdin"],
            Some(password),
        )
    }

    /// Runs `server admin create-app`: returns (app id, secret).
    pub fn create_app(&self, name: &str, scopes: &str) -> Result<(String, String), String> {
        let line = self.admin(&["create-app", "--name", name, "--scopes", scopes], None)?;
        let field = |key: &str| {
            line.split_whitespace()
                .find_map(|w| w.strip_prefix(key))
                .map(str::to_string)
                .ok_or_else(|| format!("admin create-app printed no {key}: {line}"))
        };
        Ok((field("app_id=")?, field("secret=")?))
    }

    /// Runs `server admin ARGS…` against this server's data directory.
    fn admin(&self, args: &[&str], stdin_line: Option<&str>) -> Result<String, String> {
        let mut command = Command::new(&self.binary);
        if let Some(url) = &self.database_url {
            command.env("DATABASE_URL", url);
        }
        let mut child = command
            .arg("admin")
            .args(args)
            .env("UC_DATA_DIR", &self.data_dir)
            .env("RUST_LOG", "error")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {} admin: {e}", self.binary.display()))?;
        if let Some(mut stdin) = child.stdin.take() {
            if let Some(line) = stdin_line {
                writeln!(stdin, "{line}").map_err(|e| format!("admin stdin: {e}"))?;
            }
        }
        let out = child
            .wait_with_output()
            .map_err(|e| format!("admin {}: {e}", args.join(" ")))?;
        if !out.status.success() {
            return Err(format!(
                "admin {} failed: {}",
                args.first().unwrap_or(&""),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Resident memory now and at its peak, in KiB (Linux `/proc`).
    pub fn memory_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if self.owns_data_dir {
            let _ = std::fs::remove_dir_all(&self.data_dir);
        }
    }
}
