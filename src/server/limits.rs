//! Limits per request and per client: the size of the request line and headers, and a
//! token bucket per client on the public routes (429 with `Retry-After` once a client's burst
//! is spent). A client is an IPv4 address or an IPv6 /64 network, the block one subscriber
//! line or host is given. Health, metrics, the static files and the admin API (which has its
//! token) are not rate-limited; failed admin authentications are ([`AUTH_FAILURES`]).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::state::as_client;
use super::AppState;

/// Longest request URI accepted, in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most header bytes (names and values) accepted.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Failed admin authentications allowed to one client: 10 at once, then one every 6 s;
/// past that, its admin requests get 429 whatever token they carry.
pub const AUTH_FAILURES: RateLimit = RateLimit {
    per_second: 1.0 / 6.0,
    burst: 10.0,
};
/// Clients remembered before the idle ones are forgotten.
const MAX_TRACKED_CLIENTS: usize = 50_000;

/// How many requests a client may make: `per_second` on average, `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub per_second: f64,
    pub burst: f64,
}

impl Default for RateLimit {
    /// Generous enough for a guidance centre whose counsellors share one public address and
    /// for search as you type (one request per keystroke).
    fn default() -> Self {
        RateLimit {
            per_second: 30.0,
            burst: 120.0,
        }
    }
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Token buckets per client address; `None` limit: no limiting.
pub struct RateLimiter {
    limit: Option<RateLimit>,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    /// A limiter for `limit` (off when `per_second` is 0 or less).
    pub fn new(limit: Option<RateLimit>) -> RateLimiter {
        RateLimiter {
            limit: limit.filter(|l| l.per_second > 0.0 && l.burst >= 1.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token from the bucket of `client`'s `rate_key` at `now`, or tells in how
    /// many seconds one will be available.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), u64> {
        self.bucket(client, now, true)
    }

    /// Whether `client` has a token left at `now`, without taking it (or in how many
    /// seconds it will).
    pub fn peek(&self, client: IpAddr, now: Instant) -> Result<(), u64> {
        self.bucket(client, now, false)
    }

    fn bucket(&self, client: IpAddr, now: Instant, take: bool) -> Result<(), u64> {
        let Some(limit) = self.limit else {
            return Ok(());
        };
        let client = rate_key(client);
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= MAX_TRACKED_CLIENTS && !buckets.contains_key(&client) {
            // Forget the clients whose bucket has refilled: they are as if new.
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.updated).as_secs_f64() * limit.per_second
                    < limit.burst
            });
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: limit.burst,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * limit.per_second).min(limit.burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            if take {
                bucket.tokens -= 1.0;
            }
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / limit.per_second).ceil().max(1.0) as u64)
        }
    }
}

/// Whom a request counts against: its IPv4 address (also when written as an IPv4-mapped
/// IPv6 address), or its IPv6 /64 network, since one host can use any address of its /64.
pub fn rate_key(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64))),
        v4 => v4,
    }
}

/// Whether `path` is a public route that counts against a client's rate.
fn is_rate_limited(path: &str) -> bool {
    !(path == "/health"
        || path == "/metrics"
        || path.starts_with("/static/")
        || super::api::admin::is_admin_path(path))
}

/// The address a request comes from: the peer, or, when the peer is one of our reverse
/// proxies, the last address of `X-Forwarded-For` that is not one of them (earlier entries
/// are whatever the client claimed, and are never trusted).
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    forwarded_for
        .into_iter()
        .flat_map(|header| header.rsplit(','))
        .map_while(|entry| entry.trim().parse::<IpAddr>().ok())
        .find(|address| !trusted.contains(address))
        .unwrap_or(peer)
}

/// Refuses oversized request lines and headers, then applies the client's rate limit, and
/// handles the request as its client's (for its share of the search slots).
pub async fn enforce(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let uri_bytes = request.uri().to_string().len();
    if uri_bytes > MAX_URI_BYTES {
        return ApiError::UriTooLong(MAX_URI_BYTES).into_response();
    }
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return ApiError::HeadersTooLarge(MAX_HEADER_BYTES).into_response();
    }
    let forwarded_for = request
        .headers()
        .get("x-forwarded-for")
        .and_then(|value| value.to_str().ok());
    let client =
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| {
                client_address(
                    address.ip(),
                    forwarded_for,
                    &state.options().trusted_proxies,
                )
            });
    let Some(client) = client else {
        return next.run(request).await;
    };
    if is_rate_limited(request.uri().path()) {
        if let Err(seconds) = state.rate_limiter().check(client, Instant::now()) {
            return ApiError::RateLimited(seconds).into_response();
        }
    }
    as_client(rate_key(client), next.run(request)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_then_the_sustained_rate() {
        let limiter = RateLimiter::new(Some(RateLimit {
            per_second: 2.0,
            burst: 3.0,
        }));
        let (a, b) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check(a, start), Ok(()));
        }
        assert_eq!(limiter.check(a, start), Err(1));
        assert_eq!(limiter.check(b, start), Ok(()), "clients are counted apart");
        let later = start + Duration::from_millis(500);
        assert_eq!(
            limiter.check(a, later),
            Ok(()),
            "one token back after 0.5 s at 2/s"
        );
        assert_eq!(limiter.check(a, later), Err(1));
        let much_later = start + Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(limiter.check(a, much_later), Ok(()));
        }
        assert!(
            limiter.check(a, much_later).is_err(),
            "the burst does not grow past 3"
        );
    }

    #[test]
    fn off_when_unset_and_slow_rates_ask_for_longer_waits() {
        let ip: IpAddr = "::1".parse().unwrap();
        let off = RateLimiter::new(None);
        let zero = RateLimiter::new(Some(RateLimit {
            per_second: 0.0,
            burst: 1.0,
        }));
        for _ in 0..1000 {
            assert!(off.check(ip, Instant::now()).is_ok());
            assert!(zero.check(ip, Instant::now()).is_ok());
        }
        let slow = RateLimiter::new(Some(RateLimit {
            per_second: 0.1,
            burst: 1.0,
        }));
        let now = Instant::now();
        assert!(slow.check(ip, now).is_ok());
        assert_eq!(slow.check(ip, now), Err(10));
    }

    #[test]
    fn an_ipv6_network_shares_one_bucket_and_mapped_ipv4_is_ipv4() {
        let limiter = RateLimiter::new(Some(RateLimit {
            per_second: 1.0,
            burst: 2.0,
        }));
        let now = Instant::now();
        let same_64 = ["2001:db8:1:2::1", "2001:db8:1:2:ffff::9"];
        for address in same_64 {
            assert!(limiter.check(address.parse().unwrap(), now).is_ok());
        }
        let third: IpAddr = "2001:db8:1:2:abcd::1".parse().unwrap();
        assert!(limiter.check(third, now).is_err(), "same /64, burst spent");
        let next_64: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(limiter.check(next_64, now).is_ok(), "another /64");
        let v4: IpAddr = "192.0.2.1".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(rate_key(mapped), v4);
        let other_v4: IpAddr = "192.0.2.2".parse().unwrap();
        assert_ne!(rate_key(other_v4), rate_key(v4), "IPv4 clients stay apart");
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        let other_proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        let trusted = [proxy, other_proxy];
        let forwarded = Some("198.51.100.1, 203.0.113.7, 10.0.0.2");
        assert_eq!(client_address(proxy, forwarded, &trusted), client);
        assert_eq!(
            client_address(client, forwarded, &trusted),
            client,
            "untrusted peer"
        );
        assert_eq!(client_address(proxy, None, &trusted), proxy);
        assert_eq!(client_address(proxy, Some("garbage"), &trusted), proxy);
        assert_eq!(
            client_address(proxy, forwarded, &[]),
            proxy,
            "no proxy configured"
        );
    }

    #[test]
    fn only_public_routes_are_limited() {
        assert!(is_rate_limited("/api/v1/search"));
        assert!(is_rate_limited("/"));
        assert!(is_rate_limited("/documents/x"));
        for path in [
            "/health",
            "/metrics",
            "/static/site.js",
            "/api/v1/admin/reindex",
        ] {
            assert!(!is_rate_limited(path), "{path}");
        }
    }
}
