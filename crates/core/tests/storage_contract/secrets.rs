//! The database password never shows: not in the URL's Display or Debug,
//! not in an error when the server cannot be reached.

use emcee_core::store::{Backend, Database, DatabaseUrl};

#[tokio::test]
async fn an_unreachable_server_is_named_without_its_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://emcee:hunter2-secret@127.0.0.1:{port}/emcee?connect_timeout=2");
    let backend = Backend::Postgres(DatabaseUrl::parse(&url).unwrap());
    let error = Database::open(&backend, None).await.unwrap_err();
    for shown in [
        error.to_string(),
        format!("{error:?}"),
        backend.to_string(),
        format!("{backend:?}"),
    ] {
        assert!(!shown.contains("hunter2"), "{shown}");
    }
    assert!(
        error.to_string().contains(&format!("127.0.0.1:{port}")),
        "{error}"
    );
    assert!(error.is_storage_failure());
}

#[tokio::test]
async fn a_url_asking_for_tls_is_refused_with_the_reason() {
    let url =
        DatabaseUrl::parse("postgres://emcee:hunter2@db.invalid/emcee?sslmode=require").unwrap();
    let error = Database::open(&Backend::Postgres(url), None)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("sslmode=require"), "{error}");
    assert!(!error.to_string().contains("hunter2"), "{error}");
}
