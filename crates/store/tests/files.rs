//! The SQLite registry's files are private to their owner: the database
//! and the write-ahead log and shared-memory files SQLite makes beside it.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::*;

/// The permission bits, in octal as `ls -l` and `chmod` speak of them.
fn mode(path: &Path) -> String {
    let mode = std::fs::metadata(path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
        .permissions()
        .mode();
    format!("{:o}", mode & 0o777)
}

fn beside(database: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_registry_and_its_wal_and_shm_files_are_readable_by_their_owner_only() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("corridor.db");
    let store = Store::open(&format!("sqlite://{}", database.display()))
        .await
        .unwrap();
    store.record(&audit("person.read")).await.unwrap();
    // While the store is open, SQLite keeps the log and the shared memory.
    for path in [
        database.clone(),
        beside(&database, "-wal"),
        beside(&database, "-shm"),
    ] {
        assert_eq!(mode(&path), "600", "{}", path.display());
    }
    store.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_registry_file_keeps_its_mode() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("corridor.db");
    std::fs::write(&database, b"").unwrap();
    std::fs::set_permissions(&database, std::fs::Permissions::from_mode(0o640)).unwrap();
    let store = Store::open(&format!("sqlite://{}", database.display()))
        .await
        .unwrap();
    store.record(&audit("person.read")).await.unwrap();
    assert_eq!(mode(&database), "640");
    store.close().await;
}
