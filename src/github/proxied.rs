//! The octocrab client for when a proxy applies to the API URL.
//!
//! octocrab's built-in hyper client ignores the proxy variables (octocrab issues #752 and
//! #936), and its own way out, `build_with_reqwest`, needs reqwest 0.13 (a second reqwest,
//! with aws-lc) behind a feature. This is the same idea over the reqwest 0.12 cockpit already
//! has: octocrab's own layers (base URI, `User-Agent`, the token only for the API's host) on
//! top of a reqwest client that does the proxying (absolute-form for `http://`, `CONNECT` for
//! `https://`, `Proxy-Authorization: Basic` from the URL's credentials), configured like
//! `Octocrab::builder().build()` is in `client.rs`: rustls with the system's roots (so a
//! proxy that re-signs TLS with a company CA in the system store works as it does without a
//! proxy), HTTP/1.1, connect 5 s, read `timeout`, no retries, no redirects followed.

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr};
use futures::FutureExt;
use futures::future::BoxFuture;
use http::header::USER_AGENT;
use http::{HeaderValue, Request, Response};
use http_body_util::BodyExt;
use hyper_rustls::ConfigBuilderExt;
use octocrab::service::middleware::auth_header::AuthHeaderLayer;
use octocrab::service::middleware::base_uri::BaseUriLayer;
use octocrab::service::middleware::extra_headers::ExtraHeadersLayer;
use octocrab::{AuthState, OctoBody, Octocrab, OctocrabBuilder};

use super::proxy::ProxyConfig;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An octocrab client for `api_url` whose requests go where `proxy` says.
pub fn octocrab(
    api_url: &str,
    token: Option<&str>,
    timeout: Duration,
    proxy: &ProxyConfig,
) -> Result<Octocrab> {
    let base: http::Uri = api_url
        .parse()
        .wrap_err_with(|| format!("api_url {api_url:?} is not a valid URL"))?;
    let client = proxy
        .apply(reqwest::Client::builder())
        .use_preconfigured_tls(tls_config()?)
        .http1_only()
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        // Mutations must never be sent twice; GETs are re-polled by the scheduler instead.
        .retry(reqwest::retry::never())
        .build()
        .wrap_err("building the GitHub client for the proxy")?;
    let auth = token
        .map(|t| {
            let mut value = HeaderValue::from_str(&format!("Bearer {t}"))
                .wrap_err("the token is not a valid header value")?;
            value.set_sensitive(true);
            Ok::<_, color_eyre::Report>(value)
        })
        .transpose()?;
    // The same User-Agent as octocrab's default client, so GitHub sees one cockpit.
    let headers = vec![(USER_AGENT, HeaderValue::from_static("octocrab"))];
    let octo = OctocrabBuilder::new_empty()
        .with_service(ReqwestService { client })
        .with_layer(&ExtraHeadersLayer::new(Arc::new(headers)))
        .with_layer(&BaseUriLayer::new(base.clone()))
        // Added last, so it runs first and sees the relative path: the token goes only to
        // requests for the API's own host.
        .with_layer(&AuthHeaderLayer::new(auth, base.clone(), base))
        .with_auth(AuthState::None)
        .build();
    match octo {
        Ok(octo) => Ok(octo),
        Err(never) => match never {},
    }
}

/// What `Octocrab::builder().build()` trusts: rustls (ring, unless the process installed a
/// default provider) with the system's root certificates.
fn tls_config() -> Result<rustls::ClientConfig> {
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .wrap_err("TLS protocol versions")?
        .with_native_roots()
        .wrap_err("loading the system's root certificates")?
        .with_no_client_auth())
}

/// octocrab's innermost service: each request handed to reqwest as is.
#[derive(Clone)]
struct ReqwestService {
    client: reqwest::Client,
}

impl tower_service::Service<Request<OctoBody>> for ReqwestService {
    type Response = Response<reqwest::Body>;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Self::Response, BoxError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // reqwest keeps its own pool and is always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<OctoBody>) -> Self::Future {
        let client = self.client.clone();
        async move {
            let (parts, body) = request.into_parts();
            // octocrab's bodies are small JSON documents: sent whole, with a Content-Length,
            // which every proxy takes (not all take a chunked upload).
            let body = body.collect().await?.to_bytes();
            let request =
                reqwest::Request::try_from(Request::from_parts(parts, reqwest::Body::from(body)))?;
            let response = client.execute(request).await?;
            Ok(Response::from(response))
        }
        .boxed()
    }
}
