//! Connections: the accept loop of `serve`, with the limits that a handler never sees. A
//! connection must send a whole request head within the header timeout of opening, and of
//! its last answer (so a silent socket, a request line sent a byte at a time, or an idle
//! kept-alive connection is closed); open connections are capped per client and in total,
//! and a connection over a cap gets a plain 503 `too_many_connections` and is closed. The
//! soft limit of open files is raised to the hard one at start-up, and what is left of it is
//! shown in `/metrics`.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

use super::error::ApiError;
use super::limits::rate_key;
use super::AppState;

/// Open files kept for the index, the corpus and the process when the connection cap is
/// derived from the open-files limit.
const RESERVED_FILES: u64 = 256;

/// How connections are bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Longest time to receive a request head, from the opening of a connection or from its
    /// last answer (the idle time of a kept-alive connection).
    pub header_timeout: Duration,
    /// Connections open at once, all clients together.
    pub max_connections: usize,
    /// Connections open at once from one client (an IPv4 address or an IPv6 /64; a trusted
    /// proxy counts only against the total).
    pub max_per_client: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(5),
            max_connections: 4096,
            max_per_client: 128,
        }
    }
}

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    PerClient,
    Total,
}

/// The open connections, by client, and the refusals: shared by the accept loop and the
/// metrics.
#[derive(Debug, Default)]
pub struct Connections {
    by_client: Mutex<HashMap<IpAddr, usize>>,
    open: AtomicUsize,
    refused_per_client: AtomicU64,
    refused_total: AtomicU64,
}

/// One admitted connection; it counts as open until dropped.
struct Admitted {
    connections: Arc<Connections>,
    client: Option<IpAddr>,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.connections.open.fetch_sub(1, Ordering::Relaxed);
        if let Some(client) = self.client {
            let mut by_client = self.connections.lock();
            if let Some(count) = by_client.get_mut(&client) {
                *count -= 1;
                if *count == 0 {
                    by_client.remove(&client);
                }
            }
        }
    }
}

/// What `/metrics` shows of the connections and open files.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConnectionFigures {
    pub open: u64,
    pub limit: u64,
    pub refused_per_client: u64,
    pub refused_total: u64,
    /// Files open by the process (sockets included), when the system tells.
    pub open_files: Option<u64>,
    /// The soft limit of open files.
    pub open_files_limit: Option<u64>,
}

impl Connections {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, usize>> {
        self.by_client
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Admits a connection from `client` (`None`: a trusted proxy, counted in the total
    /// only), or says which cap it is over.
    fn admit(
        self: &Arc<Self>,
        client: Option<IpAddr>,
        limits: &ConnectionLimits,
    ) -> Result<Admitted, Refusal> {
        let mut by_client = self.lock();
        if self.open.load(Ordering::Relaxed) >= limits.max_connections {
            self.refused_total.fetch_add(1, Ordering::Relaxed);
            return Err(Refusal::Total);
        }
        if let Some(client) = client {
            let count = by_client.entry(client).or_insert(0);
            if *count >= limits.max_per_client {
                self.refused_per_client.fetch_add(1, Ordering::Relaxed);
                return Err(Refusal::PerClient);
            }
            *count += 1;
        }
        self.open.fetch_add(1, Ordering::Relaxed);
        Ok(Admitted {
            connections: self.clone(),
            client,
        })
    }

    /// The figures of the connections and of the open files now.
    pub fn figures(&self, limits: &ConnectionLimits) -> ConnectionFigures {
        ConnectionFigures {
            open: self.open.load(Ordering::Relaxed) as u64,
            limit: limits.max_connections as u64,
            refused_per_client: self.refused_per_client.load(Ordering::Relaxed),
            refused_total: self.refused_total.load(Ordering::Relaxed),
            open_files: open_files(),
            open_files_limit: rlimit::Resource::NOFILE.get().ok().map(|(soft, _)| soft),
        }
    }
}

/// Raises the soft limit of open files to the hard limit; returns the soft limit in force.
pub fn raise_open_files_limit() -> Option<u64> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => Some(limit),
        Err(error) => {
            tracing::warn!(%error, "cannot raise the limit of open files");
            rlimit::Resource::NOFILE.get().ok().map(|(soft, _)| soft)
        }
    }
}

/// The connection cap that leaves room for the index's own files under `open_files_limit`.
pub fn cap_to_open_files(max_connections: usize, open_files_limit: Option<u64>) -> usize {
    match open_files_limit {
        Some(limit) => {
            let room = limit.saturating_sub(RESERVED_FILES).max(1);
            max_connections.min(usize::try_from(room).unwrap_or(usize::MAX))
        }
        None => max_connections,
    }
}

/// Files open by this process, counted in `/proc/self/fd` (Linux).
fn open_files() -> Option<u64> {
    let entries = std::fs::read_dir("/proc/self/fd").ok()?;
    Some(entries.count() as u64)
}

/// Serves the application of `state` on `listener` until `shutdown` resolves, then lets the
/// requests in flight end (connections idle or still sending their head are closed).
pub async fn serve(listener: TcpListener, state: AppState, shutdown: impl Future<Output = ()>) {
    let router = super::app(state.clone());
    let limits = state.options().connections;
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, most often: wait for some to close.
                    tracing::warn!(%error, "accept error");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let trusted = state.options().trusted_proxies.contains(&peer.ip());
        let client = (!trusted).then(|| rate_key(peer.ip()));
        match state.connections().admit(client, &limits) {
            Ok(admitted) => {
                let connection = Connection {
                    router: router.clone(),
                    peer,
                    header_timeout: limits.header_timeout,
                    _admitted: admitted,
                };
                tokio::spawn(connection.serve(stream, stopping.clone()));
            }
            Err(refusal) => {
                tokio::spawn(refuse(stream, refusal));
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    // Every connection holds a receiver until it has ended.
    drop(stopping);
    stop.closed().await;
}

/// One admitted connection.
struct Connection {
    router: Router,
    peer: SocketAddr,
    header_timeout: Duration,
    _admitted: Admitted,
}

impl Connection {
    /// Serves HTTP/1.1 requests on `stream` until the client closes it, a head is late, or
    /// the server stops (then after the request in flight).
    async fn serve(self, stream: TcpStream, mut stopping: watch::Receiver<bool>) {
        let (router, peer) = (self.router, self.peer);
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let mut request = request.map(Body::new);
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request)
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(self.header_timeout);
        let mut connection = pin!(builder.serve_connection(TokioIo::new(stream), service));
        let mut shutting_down = false;
        loop {
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(error) = result {
                        tracing::debug!(%error, %peer, "connection closed");
                    }
                    break;
                }
                changed = stopping.changed(), if !shutting_down => {
                    let _ = changed;
                    shutting_down = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// Answers a connection over a cap with a 503 and closes it.
async fn refuse(mut stream: TcpStream, refusal: Refusal) {
    let reason = match refusal {
        Refusal::PerClient => "too many connections from this client; close some and retry",
        Refusal::Total => "too many connections to the service; retry in a few seconds",
    };
    let error = ApiError::TooManyConnections(reason.into());
    let body = super::api::error_body(&error);
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         Retry-After: 5\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        super::api::JSON,
        body.len()
    );
    let answered = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(&body).await?;
        stream.shutdown().await?;
        // Read what the client sent, so that closing does not reset the connection before
        // it has read the answer.
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<(), std::io::Error>(())
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), answered).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_per_client_and_in_total_and_closing_frees_a_place() {
        let connections = Arc::new(Connections::default());
        let limits = ConnectionLimits {
            max_connections: 3,
            max_per_client: 2,
            ..ConnectionLimits::default()
        };
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let first = connections.admit(Some(a), &limits).unwrap();
        let _second = connections.admit(Some(a), &limits).unwrap();
        assert_eq!(
            connections.admit(Some(a), &limits).err(),
            Some(Refusal::PerClient)
        );
        let _third = connections.admit(Some(b), &limits).unwrap();
        assert_eq!(
            connections.admit(None, &limits).err(),
            Some(Refusal::Total),
            "a trusted proxy still counts in the total"
        );
        drop(first);
        let _again = connections.admit(Some(a), &limits).unwrap();
        let figures = connections.figures(&limits);
        assert_eq!(figures.open, 3);
        assert_eq!((figures.refused_per_client, figures.refused_total), (1, 1));
    }

    #[test]
    fn the_cap_leaves_room_for_the_index_files() {
        assert_eq!(cap_to_open_files(4096, Some(1024)), 768);
        assert_eq!(cap_to_open_files(4096, Some(1 << 20)), 4096);
        assert_eq!(cap_to_open_files(4096, Some(10)), 1);
        assert_eq!(cap_to_open_files(4096, None), 4096);
    }

    #[test]
    fn the_soft_limit_of_open_files_is_raised_to_the_hard_one() {
        let (_, hard) = rlimit::Resource::NOFILE.get().unwrap();
        let raised = raise_open_files_limit().unwrap();
        assert_eq!(raised, hard);
        assert_eq!(rlimit::Resource::NOFILE.get().unwrap().0, raised);
        assert!(open_files().unwrap() > 0);
    }
}
