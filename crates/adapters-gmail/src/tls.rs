//! TLS for mail connections: rustls with the ring provider and the Mozilla root store.
//!
//! The provider is named explicitly, so this works whether or not the binary installed a
//! process-wide default, and only ring is ever linked.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use rustls::ClientConfig;

/// A client configuration trusting the web PKI roots, plus the certificates of `extra_ca_pem`
/// (a PEM file) for servers with a private certificate authority.
///
/// # Errors
/// [`rustls::Error`] if the CA file cannot be read or holds no usable certificate, or the ring
/// provider cannot offer the default protocol versions.
pub fn client_config(extra_ca_pem: Option<&Path>) -> Result<Arc<ClientConfig>, rustls::Error> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = extra_ca_pem {
        let unreadable = |e: &dyn std::fmt::Display| {
            rustls::Error::General(format!("CA file {}: {e}", path.display()))
        };
        for cert in CertificateDer::pem_file_iter(path).map_err(|e| unreadable(&e))? {
            roots.add(cert.map_err(|e| unreadable(&e))?)?;
        }
    }
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
    Ok(Arc::new(config))
}
