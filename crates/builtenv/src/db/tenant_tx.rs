//! The transaction every API request runs in: begun with its tenant's settings in one round
//! trip, its statements prepared once per connection ([`super::statements`]), rolled back when
//! dropped unfinished.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use tokio_postgres::Client;
use uuid::Uuid;

use super::statements::Cached;
use super::PooledClient;
use crate::APP_ROLE;

/// A tenant's transaction on a pooled connection (see [`tenant_transaction`]). Its `query`,
/// `query_one`, `query_opt` and `execute` are [`Cached`]'s; [`TenantTx::commit`] ends it, and
/// dropping it unfinished rolls it back: the ROLLBACK is queued on the connection at once,
/// ahead of anything its next user sends, so the tenant's settings never outlive it.
pub struct TenantTx<'a> {
    cached: Cached<'a>,
    done: bool,
}

impl<'a> std::ops::Deref for TenantTx<'a> {
    type Target = Cached<'a>;
    fn deref(&self) -> &Cached<'a> {
        &self.cached
    }
}

impl TenantTx<'_> {
    /// COMMIT.
    pub async fn commit(mut self) -> Result<(), tokio_postgres::Error> {
        // Whatever happens now, the transaction ends: with this COMMIT, or, if this future is
        // dropped before it was sent, with the ROLLBACK of `drop`.
        let result = self.cached.client.batch_execute("COMMIT").await;
        self.done = true;
        result
    }
}

impl Drop for TenantTx<'_> {
    fn drop(&mut self) {
        if !self.done {
            queue_rollback(self.cached.client);
        }
    }
}

/// Sends ROLLBACK on `client` without waiting for its answer: tokio-postgres writes a request
/// to the connection's queue on the first poll of its future (as its own `Transaction` does
/// when dropped, through an API it keeps private); the answer is discarded. Requests go out in
/// order, so this one precedes any later one of the connection's. A closed connection has
/// nothing to roll back.
fn queue_rollback(client: &Client) {
    let mut rollback = pin!(client.batch_execute("ROLLBACK"));
    let mut context = Context::from_waker(Waker::noop());
    let _: Poll<_> = rollback.as_mut().poll(&mut context);
}

/// Begins the transaction of a request for `tenant`: the rest of it runs as [`APP_ROLE`], which
/// row-level security applies to, with `app.tenant_id` set, so that every statement sees and
/// writes only that tenant's rows, and with the pool's `statement_timeout`. All three settings
/// are `LOCAL`: they end with the transaction, and the connection goes back to the pool as it
/// came.
///
/// BEGIN and the settings are one simple-query batch (one round trip). They are `SET LOCAL`
/// statements (the values are a constant, a UUID and a number: nothing to quote), sent with
/// `citus.propagate_set_commands = 'local'` first: on a Citus coordinator that sends them on to
/// the workers' connections of the transaction, so the shards' row-level security sees the
/// same tenant (`set_config()` is not propagated). Elsewhere that setting is an unused
/// placeholder. If any of them fails, the batch's transaction is aborted and the ROLLBACK of
/// the dropped [`TenantTx`] ends it.
pub async fn tenant_transaction(
    client: &mut PooledClient,
    tenant: Uuid,
) -> Result<TenantTx<'_>, tokio_postgres::Error> {
    let timeout = client.statement_timeout().as_millis();
    let tx = TenantTx {
        cached: client.cached(),
        done: false,
    };
    tx.cached
        .client
        .batch_execute(&format!(
            "BEGIN; SET LOCAL citus.propagate_set_commands = 'local'; \
             SET LOCAL ROLE {APP_ROLE}; SET LOCAL app.tenant_id = '{tenant}'; \
             SET LOCAL statement_timeout = {timeout}"
        ))
        .await?;
    Ok(tx)
}
