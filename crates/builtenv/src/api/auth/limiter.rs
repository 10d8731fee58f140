//! Login attempts limited per account (the e-mail given, whether it exists or not) and per
//! client address: after `max` failures within `window`, further attempts are refused (429 with
//! Retry-After) until the window that began with the first failure ends. A successful login
//! clears its account's count (not its address's). Counts live in this process: with several
//! instances behind a balancer the limit applies per instance.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A limit: this many failures per window.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: u32,
    pub window: Duration,
}

/// The limits of [`LoginLimiter::default`]: 5 failures per account, 20 per address, per 15
/// minutes.
pub const PER_ACCOUNT: Limit = Limit {
    max: 5,
    window: Duration::from_secs(15 * 60),
};
pub const PER_ADDRESS: Limit = Limit {
    max: 20,
    window: Duration::from_secs(15 * 60),
};

/// Entries kept at most before old windows are swept.
const SWEEP_AT: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

#[derive(Debug)]
pub struct LoginLimiter {
    account: Limit,
    address: Limit,
    counts: Mutex<HashMap<String, Window>>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(PER_ACCOUNT, PER_ADDRESS)
    }
}

impl LoginLimiter {
    pub fn new(account: Limit, address: Limit) -> Self {
        Self {
            account,
            address,
            counts: Mutex::new(HashMap::new()),
        }
    }

    fn keys(&self, email: &str, ip: Option<IpAddr>) -> Vec<(String, Limit)> {
        let mut keys = vec![(format!("account:{email}"), self.account)];
        if let Some(ip) = ip {
            keys.push((format!("address:{ip}"), self.address));
        }
        keys
    }

    /// `Err(seconds to wait)` when the account or the address has used up its failures.
    pub fn check(&self, email: &str, ip: Option<IpAddr>) -> Result<(), u64> {
        let now = Instant::now();
        let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let wait = self
            .keys(email, ip)
            .into_iter()
            .filter_map(|(key, limit)| {
                let w = counts.get(&key)?;
                let ends = w.started + limit.window;
                (w.failures >= limit.max && ends > now).then(|| (ends - now).as_secs().max(1))
            })
            .max();
        wait.map_or(Ok(()), Err)
    }

    /// Counts a failed attempt against the account and the address.
    pub fn failed(&self, email: &str, ip: Option<IpAddr>) {
        let now = Instant::now();
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if counts.len() > SWEEP_AT {
            let longest = self.account.window.max(self.address.window);
            counts.retain(|_, w| w.started + longest > now);
        }
        for (key, limit) in self.keys(email, ip) {
            let w = counts.entry(key).or_insert(Window {
                started: now,
                failures: 0,
            });
            if w.started + limit.window <= now {
                *w = Window {
                    started: now,
                    failures: 0,
                };
            }
            w.failures += 1;
        }
    }

    /// A successful login: the account starts afresh.
    pub fn succeeded(&self, email: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.remove(&format!("account:{email}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_beyond_the_limit_are_refused_per_account_and_per_address() {
        let limit = |max| Limit {
            max,
            window: Duration::from_secs(60),
        };
        let l = LoginLimiter::new(limit(2), limit(3));
        let ip: Option<IpAddr> = "10.0.0.1".parse().ok();
        let other: Option<IpAddr> = "10.0.0.2".parse().ok();
        l.failed("a@x", ip);
        assert_eq!(l.check("a@x", ip), Ok(()));
        l.failed("a@x", ip);
        let wait = l.check("a@x", other).expect_err("account used up");
        assert!((1..=60).contains(&wait), "{wait}");
        // Another account from the same address: one failure left there.
        assert_eq!(l.check("b@x", ip), Ok(()));
        l.failed("b@x", ip);
        assert!(l.check("c@x", ip).is_err(), "address used up");
        assert_eq!(l.check("c@x", other), Ok(()));
        l.succeeded("a@x");
        assert!(l.check("a@x", ip).is_err(), "the address is still used up");
        assert_eq!(l.check("a@x", other), Ok(()));
    }
}
