//! A small closed-loop load generator: `concurrency` connections, each sending
//! its share of a fixed number of requests one after another, to loopback only.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::Request;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// One kind of request; `make(i)` builds the i-th one (so each can differ).
pub type MakeRequest = Arc<dyn Fn(usize) -> Request<Full<Bytes>> + Send + Sync>;

#[derive(Debug, Clone)]
pub struct LoadResult {
    pub requests: usize,
    pub errors: usize,
    pub elapsed: Duration,
    /// Sorted latencies of successful requests.
    latencies: Vec<Duration>,
}

impl LoadResult {
    /// A result measured without HTTP (the baselines).
    pub fn measured(
        requests: usize,
        errors: usize,
        elapsed: Duration,
        mut latencies: Vec<Duration>,
    ) -> Self {
        latencies.sort();
        LoadResult {
            requests,
            errors,
            elapsed,
            latencies,
        }
    }

    pub fn per_sec(&self) -> f64 {
        (self.requests - self.errors) as f64 / self.elapsed.as_secs_f64()
    }

    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i]
    }
}

/// Sends `total` requests over `concurrency` keep-alive connections. A
/// non-2xx answer counts as an error.
pub async fn run(
    addr: SocketAddr,
    concurrency: usize,
    total: usize,
    make: MakeRequest,
) -> LoadResult {
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..concurrency.max(1) {
        let make = make.clone();
        let next = next.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            let mut sender = None;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    break;
                }
                if sender.is_none() {
                    sender = connect(addr).await;
                }
                let Some(s) = sender.as_mut() else {
                    errors += 1;
                    continue;
                };
                let t0 = Instant::now();
                match send(s, make(i)).await {
                    Ok(true) => latencies.push(t0.elapsed()),
                    Ok(false) => errors += 1,
                    Err(()) => {
                        errors += 1;
                        sender = None;
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    let mut errors = 0;
    for w in workers {
        if let Ok((l, e)) = w.await {
            latencies.extend(l);
            errors += e;
        }
    }
    latencies.sort();
    LoadResult {
        requests: total,
        errors,
        elapsed: started.elapsed(),
        latencies,
    }
}

type Sender = http1::SendRequest<Full<Bytes>>;

async fn connect(addr: SocketAddr) -> Option<Sender> {
    let stream = TcpStream::connect(addr).await.ok()?;
    stream.set_nodelay(true).ok()?;
    let (sender, conn) = http1::handshake(TokioIo::new(stream)).await.ok()?;
    tokio::spawn(conn);
    Some(sender)
}

async fn send(sender: &mut Sender, req: Request<Full<Bytes>>) -> Result<bool, ()> {
    sender.ready().await.map_err(|_| ())?;
    let res = sender.send_request(req).await.map_err(|_| ())?;
    let ok = res.status().is_success();
    res.into_body().collect().await.map_err(|_| ())?;
    Ok(ok)
}

pub fn get(path: &str, headers: &[(&str, String)]) -> Request<Full<Bytes>> {
    let mut b = Request::get(path).header("host", "127.0.0.1");
    for (k, v) in headers {
        b = b.header(*k, v);
    }
    b.body(Full::new(Bytes::new())).expect("valid request")
}

/// A POST whose body is already serialised (it is signed byte for byte).
pub fn post_raw(path: &str, body: String, headers: &[(&str, String)]) -> Request<Full<Bytes>> {
    let mut b = Request::post(path)
        .header("host", "127.0.0.1")
        .header("content-type", "application/json");
    for (k, v) in headers {
        b = b.header(*k, v);
    }
    b.body(Full::new(Bytes::from(body))).expect("valid request")
}

pub fn post_json(
    path: &str,
    body: &serde_json::Value,
    headers: &[(&str, String)],
) -> Request<Full<Bytes>> {
    let mut b = Request::post(path)
        .header("host", "127.0.0.1")
        .header("content-type", "application/json");
    for (k, v) in headers {
        b = b.header(*k, v);
    }
    b.body(Full::new(Bytes::from(body.to_string())))
        .expect("valid request")
}

/// Sends `make()` one at a time, `pause` apart, until `stop` is set; returns
/// the sorted latencies. Used to watch a cheap endpoint during a storm.
pub async fn probe_until(
    addr: SocketAddr,
    make: impl Fn() -> Request<Full<Bytes>>,
    pause: Duration,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> LoadResult {
    let started = Instant::now();
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut sender = None;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        if sender.is_none() {
            sender = connect(addr).await;
        }
        if let Some(s) = sender.as_mut() {
            let t0 = Instant::now();
            match send(s, make()).await {
                Ok(true) => latencies.push(t0.elapsed()),
                Ok(false) => errors += 1,
                Err(()) => {
                    errors += 1;
                    sender = None;
                }
            }
        }
        tokio::time::sleep(pause).await;
    }
    latencies.sort();
    LoadResult {
        requests: latencies.len() + errors,
        errors,
        elapsed: started.elapsed(),
        latencies,
    }
}
