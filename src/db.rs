//! A handle to the SQLite store that async code can share.

use crate::store::{Store, StoreError};
use std::path::Path;
use std::sync::{Arc, Mutex};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database: {0}")]
    Store(#[from] StoreError),
    #[error("database task failed: {0}")]
    Join(tokio::task::JoinError),
}

/// Shared handle to the SQLite store.
///
/// rusqlite is synchronous. Its calls run on tokio's blocking pool
/// (`spawn_blocking`) so that a slow write (fsync, a busy lock held by a CLI
/// query) never stalls the runtime threads that drive HTTP. One connection
/// behind a mutex is enough: SQLite admits one writer at a time anyway, and
/// every refresh is a single short transaction.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Mutex<Store>>,
}

impl Db {
    pub fn open(path: &Path) -> Result<Db, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // A missing state directory is created rather than reported: the
            // first run of a fresh install should just work.
            let _ = std::fs::create_dir_all(dir);
        }
        Ok(Db {
            inner: Arc::new(Mutex::new(Store::open(path)?)),
        })
    }

    pub async fn call<R, F>(&self, f: F) -> Result<R, DbError>
    where
        F: FnOnce(&mut Store) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        let inner = self.inner.clone();
        let r = tokio::task::spawn_blocking(move || {
            // A panic while holding the lock poisons it; the connection itself
            // is still consistent (SQLite rolled the transaction back), so go on.
            let mut guard = inner.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(DbError::Join)??;
        Ok(r)
    }
}

impl Db {
    /// The mutex itself, for code that takes `&Mutex<S>` (digest delivery
    /// locks it only around single store calls, never across an await).
    pub fn mutex(&self) -> &Mutex<Store> {
        &self.inner
    }
}
