//! In-memory copies of rows that are read on every request and rarely
//! change: which sessions are live, the currencies, the service apps.
//!
//! Exact invalidation: the code that changes such rows drops the copies
//! right after its COMMIT, so the very next request reads the database
//! again. A fill races with that: a request may read the old row just
//! before the COMMIT and store it just after the drop. Every drop therefore
//! bumps an epoch, and a fill is kept only if no drop happened since its
//! read began ([`Cache::epoch`] before the read, [`Cache::fill`] after).
//!
//! Every entry also expires after the cache's `max_age`, which bounds how
//! long a change made by another process (`server admin …` at the command
//! line, or another instance once several share a database) goes unseen.
//! Cross-instance invalidation only has to call the same drops.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

pub(crate) struct Cache<K, V> {
    inner: RwLock<Inner<K, V>>,
    max_age: Duration,
    /// Past this many entries the cache starts over (a memory bound; the
    /// entries are refetched as they are asked for).
    capacity: usize,
}

struct Inner<K, V> {
    epoch: u64,
    entries: HashMap<K, (V, Instant)>,
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    pub(crate) fn new(max_age: Duration, capacity: usize) -> Self {
        Cache {
            inner: RwLock::new(Inner {
                epoch: 0,
                entries: HashMap::new(),
            }),
            max_age,
            capacity,
        }
    }

    // A panic while the lock was held leaves nothing half-written (every
    // change is one map call), so a poisoned lock is still usable.
    fn read(&self) -> RwLockReadGuard<'_, Inner<K, V>> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner<K, V>> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The copy, if there is one and it is younger than `max_age`.
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let inner = self.read();
        let (value, at) = inner.entries.get(key)?;
        (at.elapsed() < self.max_age).then(|| value.clone())
    }

    /// Taken before reading the database for a fill.
    pub(crate) fn epoch(&self) -> u64 {
        self.read().epoch
    }

    /// Keeps what was read, unless a drop happened since `epoch`.
    pub(crate) fn fill(&self, epoch: u64, key: K, value: V) {
        let mut inner = self.write();
        if inner.epoch != epoch {
            return;
        }
        if inner.entries.len() >= self.capacity {
            inner.entries.clear();
        }
        inner.entries.insert(key, (value, Instant::now()));
    }

    /// Drops one entry.
    pub(crate) fn remove<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let mut inner = self.write();
        inner.epoch += 1;
        inner.entries.remove(key);
    }

    /// Drops the entries `drop` picks.
    pub(crate) fn remove_where(&self, drop: impl Fn(&K, &V) -> bool) {
        let mut inner = self.write();
        inner.epoch += 1;
        inner.entries.retain(|k, (v, _)| !drop(k, v));
    }

    /// Drops everything.
    pub(crate) fn clear(&self) {
        let mut inner = self.write();
        inner.epoch += 1;
        inner.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fill_that_raced_with_a_drop_is_not_kept() {
        let cache: Cache<&str, i32> = Cache::new(Duration::from_secs(60), 10);
        let before = cache.epoch();
        // The row changes and its copies are dropped while the read is
        // under way; the old value read must not be kept.
        cache.remove("a");
        cache.fill(before, "a", 1);
        assert_eq!(cache.get("a"), None);
        let now = cache.epoch();
        cache.fill(now, "a", 2);
        assert_eq!(cache.get("a"), Some(2));
        cache.remove_where(|_, v| *v == 2);
        assert_eq!(cache.get("a"), None);
    }

    #[test]
    fn entries_expire_and_the_size_is_bounded() {
        let cache: Cache<u32, u32> = Cache::new(Duration::ZERO, 10);
        cache.fill(cache.epoch(), 1, 1);
        assert_eq!(cache.get(&1), None, "max_age 0 keeps nothing usable");
        let cache: Cache<u32, u32> = Cache::new(Duration::from_secs(60), 3);
        for i in 0..10 {
            cache.fill(cache.epoch(), i, i);
        }
        assert!(cache.read().entries.len() <= 3);
        assert_eq!(cache.get(&9), Some(9));
        cache.clear();
        assert_eq!(cache.get(&9), None);
    }
}
