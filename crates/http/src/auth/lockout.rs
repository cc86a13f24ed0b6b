//! Account lockout: a fixed window of failed sign-ins per account, in the key-value store.
//!
//! Checking and counting are one step. Every attempt takes a slot of the window (one atomic
//! increment: INCR in Redis, under the store's lock in process) *before* its password is
//! checked, and only attempts that got a slot within the threshold are checked. Parallel guesses
//! therefore cannot all pass a check made before any of them was counted: at most `threshold`
//! passwords are checked per window. An attempt that turns out right gives its slot back.

use std::time::Duration;

use shuanglian_core::kv::{Kv, KvResult};

/// What an attempt may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Check the password. `attempt` is this attempt's place in the window (1-based): if the
    /// check fails and `attempt >= threshold`, this failure locks the account.
    Open { attempt: u64, retry_after: u64 },
    /// Locked: answer without checking anything.
    Locked { retry_after: u64 },
}

pub async fn enter(kv: &Kv, key: &str, threshold: u64, window: Duration) -> KvResult<Gate> {
    // A slot past the threshold is either a locked account or attempts of the same account
    // still being checked (several correct sign-ins at once): give it back and wait briefly
    // for those to finish. Checks in flight plus failures recorded never pass the threshold.
    let deadline = std::time::Instant::now() + WAIT_FOR_IN_FLIGHT;
    loop {
        let (attempt, retry_after) = kv.incr_window(key, window).await?;
        if attempt <= threshold {
            return Ok(Gate::Open {
                attempt,
                retry_after,
            });
        }
        kv.decr_window(key).await?;
        if std::time::Instant::now() >= deadline {
            return Ok(Gate::Locked { retry_after });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// How long an attempt past the threshold waits for attempts in flight before it counts the
/// account as locked.
const WAIT_FOR_IN_FLIGHT: Duration = Duration::from_secs(2);

/// Returns the slot of an attempt that did not fail: a right password then missing its
/// second-factor code or meeting a disabled account, or a database that could not answer.
pub async fn give_back(kv: &Kv, key: &str) -> KvResult<()> {
    kv.decr_window(key).await
}

/// Forgets the failures after a successful sign-in.
pub async fn clear(kv: &Kv, key: &str) -> KvResult<()> {
    kv.del(key).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use shuanglian_core::kv::MemoryStore;

    #[tokio::test]
    async fn the_threshold_th_failure_locks_and_later_attempts_are_not_checked() {
        let kv = Kv::Memory(MemoryStore::default());
        let w = Duration::from_secs(60);
        for n in 1..=3 {
            assert!(matches!(
                enter(&kv, "k", 3, w).await.expect("kv"),
                Gate::Open { attempt, .. } if attempt == n
            ));
        }
        assert!(matches!(
            enter(&kv, "k", 3, w).await.expect("kv"),
            Gate::Locked { .. }
        ));
        clear(&kv, "k").await.expect("kv");
        assert!(matches!(
            enter(&kv, "k", 3, w).await.expect("kv"),
            Gate::Open { attempt: 1, .. }
        ));
        give_back(&kv, "k").await.expect("kv");
        assert!(matches!(
            enter(&kv, "k", 3, w).await.expect("kv"),
            Gate::Open { attempt: 1, .. }
        ));
    }
}
