//! TLS for mail connections: rustls with the ring provider and the Mozilla root store.
//!
//! The provider is named explicitly, so this works whether or not the binary installed a
//! process-wide default, and only ring is ever linked.

use std::sync::Arc;

use rustls::ClientConfig;

/// A client configuration trusting the web PKI roots.
///
/// # Errors
/// [`rustls::Error`] if the ring provider cannot offer the default protocol versions.
pub fn client_config() -> Result<Arc<ClientConfig>, rustls::Error> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
    Ok(Arc::new(config))
}
