//! Login attempts limited per account (the e-mail given, whether it exists or not) and per
//! client address: after `max` failures within `window`, further attempts are refused (429 with
//! Retry-After) until the window that began with the first failure ends. A successful login
//! clears its account's count (not its address's). Sign-ups limited per client address: the
//! `max` sign-ups of a window go through, the next are refused until it ends.
//!
//! The counts are rows of `rate_limits` (one per key: `account:<e-mail>`, `address:<ip>`,
//! `signup:<ip>`), so every instance of the service behind a balancer shares them: two
//! replicas together allow what one allows. A hit is counted by one atomic statement
//! (`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`, which starts a new window when the old one
//! has ended), timed by the database's clock, not the instances'. A login attempt is counted
//! before its password is checked and uncounted if it is refused or succeeds, so that
//! concurrent attempts get no more tries than sequential ones. Rows of ended windows are
//! deleted by the next count. These statements run as the connection's own role, outside
//! row-level security: no tenant is known at login or sign-up.

use std::net::IpAddr;
use std::time::Duration;

use tokio_postgres::Client;

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
/// Sign-ups per address: 20 per hour unless SIGNUP_LIMIT_PER_HOUR says otherwise.
pub const SIGNUPS_PER_ADDRESS: Limit = Limit {
    max: 20,
    window: Duration::from_secs(60 * 60),
};

/// Counts one hit of `key` (a new window when its last one has ended); gives the count and how
/// many seconds ago its window began.
const COUNT: &str = "\
    INSERT INTO rate_limits AS f (key, hits) VALUES ($1, 1) \
    ON CONFLICT (key) DO UPDATE SET \
      window_start = CASE WHEN f.window_start > now() - make_interval(secs => $2) \
                     THEN f.window_start ELSE now() END, \
      hits = CASE WHEN f.window_start > now() - make_interval(secs => $2) \
                 THEN f.hits + 1 ELSE 1 END \
    RETURNING hits, EXTRACT(EPOCH FROM now() - window_start)::float8";

/// Deletes the rows whose window ended more than `$1` seconds ago.
const SWEEP: &str =
    "DELETE FROM rate_limits WHERE window_start <= now() - make_interval(secs => $1)";

/// Takes back one hit of `key` (an attempt refused, or one that succeeded).
const UNCOUNT: &str = "UPDATE rate_limits SET hits = hits - 1 WHERE key = $1 AND hits > 0";

#[derive(Debug)]
pub struct LoginLimiter {
    account: Limit,
    address: Limit,
    /// Sign-ups per address; `None`: not limited.
    signups: Option<Limit>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(PER_ACCOUNT, PER_ADDRESS)
    }
}

fn account_key(email: &str) -> String {
    format!("account:{email}")
}

/// Seconds to wait, when `failures` counted `elapsed` seconds into a window of `limit` have
/// used it up.
fn wait(limit: Limit, failures: i64, elapsed: f64) -> Option<u64> {
    let left = limit.window.as_secs_f64() - elapsed;
    (failures >= i64::from(limit.max) && left > 0.0).then(|| (left.ceil() as u64).max(1))
}

impl LoginLimiter {
    pub fn new(account: Limit, address: Limit) -> Self {
        Self {
            account,
            address,
            signups: Some(SIGNUPS_PER_ADDRESS),
        }
    }

    /// The same, with `max` sign-ups per address per window (0: not limited).
    #[must_use]
    pub fn signups_per_address(mut self, max: u32) -> Self {
        self.signups = (max > 0).then_some(Limit {
            max,
            ..SIGNUPS_PER_ADDRESS
        });
        self
    }

    /// The longest window: rows older than this are of no use.
    fn longest(&self) -> Duration {
        let signups = self.signups.map_or(Duration::ZERO, |l| l.window);
        self.account.window.max(self.address.window).max(signups)
    }

    /// Counts a hit of `key`: (hits in its window, seconds since the window began).
    async fn count(
        client: &Client,
        key: &str,
        limit: Limit,
    ) -> Result<(i64, f64), tokio_postgres::Error> {
        let row = client
            .query_one(COUNT, &[&key, &limit.window.as_secs_f64()])
            .await?;
        Ok((row.get(0), row.get(1)))
    }

    /// Deletes the rows of ended windows.
    async fn sweep(&self, client: &Client) -> Result<(), tokio_postgres::Error> {
        client
            .execute(SWEEP, &[&self.longest().as_secs_f64()])
            .await?;
        Ok(())
    }

    /// A sign-up from `ip`, counted: `Ok(Err(seconds to wait))` when the address has had its
    /// sign-ups for this window already (this one is refused).
    pub async fn signup(
        &self,
        client: &Client,
        ip: Option<IpAddr>,
    ) -> Result<Result<(), u64>, tokio_postgres::Error> {
        let (Some(limit), Some(ip)) = (self.signups, ip) else {
            return Ok(Ok(()));
        };
        let (hits, elapsed) = Self::count(client, &format!("signup:{ip}"), limit).await?;
        self.sweep(client).await?;
        // `hits` counts this one: refused when the ones before it used the window up.
        Ok(wait(limit, hits - 1, elapsed).map_or(Ok(()), Err))
    }

    fn keys(&self, email: &str, ip: Option<IpAddr>) -> Vec<(String, Limit)> {
        let mut keys = vec![(account_key(email), self.account)];
        if let Some(ip) = ip {
            keys.push((format!("address:{ip}"), self.address));
        }
        keys
    }

    /// A login attempt, counted against the account and the address before its password is
    /// checked (so that concurrent attempts cannot all pass a check made before any of them
    /// failed): `Ok(Ok(the account's count))`, or `Ok(Err(seconds to wait))` when either has
    /// used up its failures, this attempt then uncounted. A failed attempt stays counted; a
    /// successful one is uncounted by [`LoginLimiter::succeeded`].
    pub async fn attempt(
        &self,
        client: &Client,
        email: &str,
        ip: Option<IpAddr>,
    ) -> Result<Result<i64, u64>, tokio_postgres::Error> {
        let keys = self.keys(email, ip);
        let mut account_hits = 0;
        let mut refused = None;
        for (key, limit) in &keys {
            let (hits, elapsed) = Self::count(client, key, *limit).await?;
            if key.starts_with("account:") {
                account_hits = hits;
            }
            // `hits` counts this one: refused when the ones before it used the window up.
            refused = refused.max(wait(*limit, hits - 1, elapsed));
        }
        self.sweep(client).await?;
        let Some(wait) = refused else {
            return Ok(Ok(account_hits));
        };
        for (key, _) in &keys {
            client.execute(UNCOUNT, &[key]).await?;
        }
        Ok(Err(wait))
    }

    /// A successful login: the account starts afresh, and the attempt is uncounted from the
    /// address (only failures count there).
    pub async fn succeeded(
        &self,
        client: &Client,
        email: &str,
        ip: Option<IpAddr>,
    ) -> Result<(), tokio_postgres::Error> {
        client
            .execute(
                "DELETE FROM rate_limits WHERE key = $1",
                &[&account_key(email)],
            )
            .await?;
        if let Some(ip) = ip {
            client.execute(UNCOUNT, &[&format!("address:{ip}")]).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_is_used_up_at_max_failures_until_it_ends() {
        let limit = Limit {
            max: 2,
            window: Duration::from_secs(60),
        };
        assert_eq!(wait(limit, 1, 0.0), None);
        assert_eq!(wait(limit, 2, 0.5), Some(60));
        assert_eq!(wait(limit, 3, 59.5), Some(1));
        assert_eq!(wait(limit, 2, 60.0), None, "the window has ended");
    }
}
