//! Corporate proxies, from the standard environment variables, read in this one place.
//!
//! The rules are reqwest's (and so those of cockpit's health checks and notifications, which
//! use reqwest's own reading of the same variables), which are curl's: an `https://` URL goes
//! through `HTTPS_PROXY`, an `http://` URL through `HTTP_PROXY`, either falling back to
//! `ALL_PROXY`; `NO_PROXY` lists hosts (and their subdomains), `*`, IP addresses and CIDR
//! ranges that are reached directly. Each name is looked up upper-case first, then
//! lower-case; an empty value counts as unset. `NO_PROXY` is matched by hyper-util's matcher,
//! the code reqwest itself runs, so both agree on every host.
//!
//! Tests build a [`ProxyConfig`] from a map with [`ProxyConfig::from_lookup`]; only `main`
//! reads the process environment.

use std::ffi::OsString;
use std::fmt;
use std::sync::Arc;

use hyper_util::client::proxy::matcher::Matcher;
use reqwest::Url;

const HTTP_VARS: [&str; 2] = ["HTTP_PROXY", "http_proxy"];
const HTTPS_VARS: [&str; 2] = ["HTTPS_PROXY", "https_proxy"];
const ALL_VARS: [&str; 2] = ["ALL_PROXY", "all_proxy"];
const NO_PROXY_VARS: [&str; 2] = ["NO_PROXY", "no_proxy"];

/// A proxy variable whose value cannot be used. The value itself is never repeated: it may
/// hold a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    #[error(
        "{var} is not a proxy URL ({reason}); expected e.g. http://proxy.example.com:3128 or \
         http://user:password@proxy.example.com:3128"
    )]
    NotAUrl { var: &'static str, reason: String },
    #[error("{var}: {scheme}:// proxies are not supported; use an http:// or https:// proxy")]
    UnsupportedScheme { var: &'static str, scheme: String },
    #[error("{var} is not valid UTF-8")]
    NotUtf8 { var: &'static str },
}

/// One proxy variable that is set: the name it was found under and the URL it holds
/// (credentials included; they only leave this module inside a `reqwest::Proxy`).
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyVar {
    name: &'static str,
    url: Url,
}

impl ProxyVar {
    /// The variable the proxy came from, as spelled in the environment (`https_proxy`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// `scheme://host:port` of the proxy: what logs, errors and `check-config` show.
    pub fn redacted(&self) -> String {
        let host = self.url.host_str().unwrap_or("?");
        match self.url.port_or_known_default() {
            Some(port) => format!("{}://{host}:{port}", self.url.scheme()),
            None => format!("{}://{host}", self.url.scheme()),
        }
    }

    /// Whether the URL carries a user (and password), sent as `Proxy-Authorization: Basic`.
    pub fn has_credentials(&self) -> bool {
        !self.url.username().is_empty() || self.url.password().is_some()
    }
}

impl fmt::Display for ProxyVar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (from {}", self.redacted(), self.name)?;
        if self.has_credentials() {
            write!(f, ", with credentials")?;
        }
        write!(f, ")")
    }
}

// By hand, so that a `{:?}` anywhere never prints the credentials.
impl fmt::Debug for ProxyVar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProxyVar({self})")
    }
}

/// Which proxy, if any, each URL goes through. The default is none at all (the demo, and
/// tests that do not ask for one).
#[derive(Clone, Default)]
pub struct ProxyConfig {
    http: Option<ProxyVar>,
    https: Option<ProxyVar>,
    all: Option<ProxyVar>,
    no_proxy: Option<(&'static str, String)>,
    /// Built from the fields above; `None` when no proxy is set.
    matcher: Option<Arc<Matcher>>,
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyConfig")
            .field("http", &self.http)
            .field("https", &self.https)
            .field("all", &self.all)
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// What a URL's requests go through, for `check-config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route<'a> {
    Proxy(&'a ProxyVar),
    /// A proxy would apply, but `NO_PROXY` (named as found) exempts the host.
    Exempt {
        no_proxy_var: &'static str,
    },
    Direct,
}

impl ProxyConfig {
    /// No proxy for anything.
    pub fn none() -> ProxyConfig {
        ProxyConfig::default()
    }

    /// The proxy variables of this process's environment.
    pub fn from_env() -> Result<ProxyConfig, ProxyError> {
        ProxyConfig::from_lookup(|name| std::env::var_os(name))
    }

    /// The proxy variables as `env` answers them. Every variable that is set must be usable,
    /// even one no request would take: a typo is reported at startup, not when the first
    /// request needs it.
    pub fn from_lookup(env: impl Fn(&str) -> Option<OsString>) -> Result<ProxyConfig, ProxyError> {
        let http = read_proxy(&env, HTTP_VARS)?;
        let https = read_proxy(&env, HTTPS_VARS)?;
        let all = read_proxy(&env, ALL_VARS)?;
        let no_proxy = read_value(&env, NO_PROXY_VARS)?;
        Ok(ProxyConfig::new(http, https, all, no_proxy))
    }

    fn new(
        http: Option<ProxyVar>,
        https: Option<ProxyVar>,
        all: Option<ProxyVar>,
        no_proxy: Option<(&'static str, String)>,
    ) -> ProxyConfig {
        let matcher = (http.is_some() || https.is_some() || all.is_some()).then(|| {
            let url = |v: &Option<ProxyVar>| v.as_ref().map(|v| v.url.to_string());
            Arc::new(
                Matcher::builder()
                    .http(url(&http).unwrap_or_default())
                    .https(url(&https).unwrap_or_default())
                    .all(url(&all).unwrap_or_default())
                    .no(no_proxy
                        .as_ref()
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default())
                    .build(),
            )
        });
        ProxyConfig {
            http,
            https,
            all,
            no_proxy,
            matcher,
        }
    }

    /// Whether any proxy variable is set.
    pub fn is_empty(&self) -> bool {
        self.matcher.is_none()
    }

    /// The proxy requests to `url` go through, if any.
    pub fn for_url(&self, url: &Url) -> Option<&ProxyVar> {
        match self.route(url) {
            Route::Proxy(var) => Some(var),
            Route::Exempt { .. } | Route::Direct => None,
        }
    }

    /// [`ProxyConfig::for_url`] for a URL given as text (`None` if it is not a URL).
    pub fn for_str(&self, url: &str) -> Option<&ProxyVar> {
        self.for_url(&Url::parse(url).ok()?)
    }

    /// Where requests to `url` go, and why.
    pub fn route(&self, url: &Url) -> Route<'_> {
        let candidate = match url.scheme() {
            "http" => self.http.as_ref().or(self.all.as_ref()),
            "https" => self.https.as_ref().or(self.all.as_ref()),
            _ => None,
        };
        let (Some(var), Some(matcher)) = (candidate, &self.matcher) else {
            return Route::Direct;
        };
        if let Some((name, _)) = self.no_proxy.as_ref().filter(|(_, v)| exempts_all(v)) {
            return Route::Exempt { no_proxy_var: name };
        }
        // Only the destination's scheme, host and port matter, and they always form a URI.
        let host = url.host_str().unwrap_or_default();
        let dest = match url.port() {
            Some(port) => format!("{}://{host}:{port}/", url.scheme()),
            None => format!("{}://{host}/", url.scheme()),
        };
        let intercepted = dest
            .parse::<http::Uri>()
            .is_ok_and(|uri| matcher.intercept(&uri).is_some());
        match (&self.no_proxy, intercepted) {
            (_, true) => Route::Proxy(var),
            (Some((name, _)), false) => Route::Exempt { no_proxy_var: name },
            (None, false) => Route::Direct,
        }
    }

    /// One line for `check-config`: the proxy requests to `url` go through, or why none.
    pub fn describe_for(&self, url: &str) -> String {
        let Ok(parsed) = Url::parse(url) else {
            return "none (not a URL)".into();
        };
        match self.route(&parsed) {
            Route::Proxy(var) => var.to_string(),
            Route::Exempt { no_proxy_var } => format!(
                "none ({no_proxy_var} matches {})",
                parsed.host_str().unwrap_or_default()
            ),
            Route::Direct => {
                let names = match parsed.scheme() {
                    "http" => "HTTP_PROXY, ALL_PROXY",
                    _ => "HTTPS_PROXY, ALL_PROXY",
                };
                format!("none ({names} not set)")
            }
        }
    }

    /// A reqwest client builder that goes exactly where [`ProxyConfig::for_url`] says, and
    /// nowhere else: reqwest's own reading of the environment is switched off, so a test's
    /// explicit config is the whole truth.
    pub fn apply(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        let builder = builder.no_proxy();
        if self.is_empty() {
            return builder;
        }
        let config = self.clone();
        // reqwest turns the URL's user and password into `Proxy-Authorization: Basic`, on
        // forwarded requests and on CONNECT alike.
        builder.proxy(reqwest::Proxy::custom(move |url| {
            config.for_url(url).map(|var| var.url.clone())
        }))
    }
}

/// `*` is every host (curl's rule); hyper-util's matcher applies it to names only, so an IP
/// address such as a GitHub Enterprise host's would still go through the proxy.
fn exempts_all(no_proxy: &str) -> bool {
    no_proxy.split(',').any(|entry| entry.trim() == "*")
}

/// The first of `names` that is set and not empty.
fn read_value(
    env: &impl Fn(&str) -> Option<OsString>,
    names: [&'static str; 2],
) -> Result<Option<(&'static str, String)>, ProxyError> {
    for name in names {
        let Some(raw) = env(name) else { continue };
        let value = raw
            .into_string()
            .map_err(|_| ProxyError::NotUtf8 { var: name })?;
        let value = value.trim();
        if !value.is_empty() {
            return Ok(Some((name, value.to_owned())));
        }
    }
    Ok(None)
}

fn read_proxy(
    env: &impl Fn(&str) -> Option<OsString>,
    names: [&'static str; 2],
) -> Result<Option<ProxyVar>, ProxyError> {
    read_value(env, names)?
        .map(|(name, value)| parse_proxy(name, &value))
        .transpose()
}

fn parse_proxy(name: &'static str, value: &str) -> Result<ProxyVar, ProxyError> {
    // curl and reqwest read a bare `proxy.example.com:3128` as an http:// proxy.
    let text = if value.contains("://") {
        value.to_owned()
    } else {
        format!("http://{value}")
    };
    let url = Url::parse(&text).map_err(|e| ProxyError::NotAUrl {
        var: name,
        reason: e.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ProxyError::UnsupportedScheme {
            var: name,
            scheme: url.scheme().to_owned(),
        });
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ProxyError::NotAUrl {
            var: name,
            reason: "no host".into(),
        });
    }
    Ok(ProxyVar { name, url })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<ProxyConfig, ProxyError> {
        let map: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        ProxyConfig::from_lookup(|name| map.get(name).cloned())
    }

    fn proxy_for(vars: &[(&str, &str)], url: &str) -> Option<String> {
        let config = config(vars).unwrap();
        config
            .for_str(url)
            .map(|v| format!("{} {}", v.name(), v.redacted()))
    }

    #[test]
    fn nothing_set_means_direct() {
        let c = config(&[]).unwrap();
        assert!(c.is_empty());
        assert_eq!(c.for_str("https://api.github.com"), None);
        assert_eq!(
            c.describe_for("https://api.github.com"),
            "none (HTTPS_PROXY, ALL_PROXY not set)"
        );
    }

    #[test]
    fn the_scheme_picks_its_variable_and_all_proxy_is_the_fallback() {
        let vars = [
            ("HTTPS_PROXY", "http://secure:3128"),
            ("HTTP_PROXY", "http://plain:8080"),
            ("ALL_PROXY", "http://every:1"),
        ];
        assert_eq!(
            proxy_for(&vars, "https://api.github.com/repos"),
            Some("HTTPS_PROXY http://secure:3128".into())
        );
        assert_eq!(
            proxy_for(&vars, "http://ghes.corp/api/v3"),
            Some("HTTP_PROXY http://plain:8080".into())
        );
        let only_all = [("ALL_PROXY", "http://every:1")];
        assert_eq!(
            proxy_for(&only_all, "https://api.github.com"),
            Some("ALL_PROXY http://every:1".into())
        );
        assert_eq!(
            proxy_for(&only_all, "http://ghes.corp"),
            Some("ALL_PROXY http://every:1".into())
        );
        // HTTP_PROXY never carries https traffic.
        assert_eq!(
            proxy_for(
                &[("HTTP_PROXY", "http://plain:8080")],
                "https://api.github.com"
            ),
            None
        );
    }

    #[test]
    fn lower_case_names_count_and_upper_case_wins() {
        assert_eq!(
            proxy_for(&[("https_proxy", "http://low:3128")], "https://x.org"),
            Some("https_proxy http://low:3128".into())
        );
        let both = [
            ("https_proxy", "http://low:3128"),
            ("HTTPS_PROXY", "http://up:3128"),
        ];
        assert_eq!(
            proxy_for(&both, "https://x.org"),
            Some("HTTPS_PROXY http://up:3128".into())
        );
        // An empty value is no value: the lower-case one is used.
        let empty_upper = [("HTTPS_PROXY", " "), ("https_proxy", "http://low:3128")];
        assert_eq!(
            proxy_for(&empty_upper, "https://x.org"),
            Some("https_proxy http://low:3128".into())
        );
        assert_eq!(
            proxy_for(&[("all_proxy", "http://a:1")], "https://x.org"),
            Some("all_proxy http://a:1".into())
        );
    }

    #[test]
    fn a_bare_host_and_port_is_an_http_proxy() {
        assert_eq!(
            proxy_for(&[("HTTPS_PROXY", "proxy.corp:3128")], "https://x.org"),
            Some("HTTPS_PROXY http://proxy.corp:3128".into())
        );
        // An IPv6 proxy, and credentials that need percent-encoding.
        assert_eq!(
            proxy_for(
                &[("HTTPS_PROXY", "http://u%20x:p%2Fw@[::1]:3128")],
                "https://x.org"
            ),
            Some("HTTPS_PROXY http://[::1]:3128".into())
        );
        // The scheme's default port when none is given.
        assert_eq!(
            proxy_for(&[("HTTPS_PROXY", "http://proxy.corp")], "https://x.org"),
            Some("HTTPS_PROXY http://proxy.corp:80".into())
        );
    }

    #[test]
    fn no_proxy_host_suffixes_star_ips_and_cidrs() {
        let with = |no: &str, url: &str| {
            proxy_for(&[("HTTPS_PROXY", "http://p:3128"), ("NO_PROXY", no)], url).is_some()
        };
        // A domain matches itself and its subdomains, with or without a leading dot.
        assert!(!with("github.com", "https://github.com"));
        assert!(!with("github.com", "https://api.github.com"));
        assert!(!with(".github.com", "https://api.github.com"));
        assert!(with("github.com", "https://notgithub.com"));
        assert!(!with("GitHub.COM", "https://api.github.com"));
        // Lists, with spaces.
        assert!(!with("example.org, ghes.corp", "https://ghes.corp/api/v3"));
        assert!(with("example.org, ghes.corp", "https://api.github.com"));
        // `*` is everything, IP addresses included.
        assert!(!with("*", "https://api.github.com"));
        assert!(!with("*", "https://192.168.1.20:8443"));
        assert!(!with("ghes.corp, *", "https://[::1]"));
        // IP addresses and ranges, v4 and v6.
        assert!(!with("127.0.0.1", "https://127.0.0.1:8443"));
        assert!(with("127.0.0.1", "https://127.0.0.2:8443"));
        assert!(!with("10.0.0.0/8", "https://10.1.2.3"));
        assert!(with("10.0.0.0/8", "https://11.1.2.3"));
        assert!(!with("::1", "https://[::1]:8443"));
        // The lower-case name is read too.
        assert!(
            proxy_for(
                &[("HTTPS_PROXY", "http://p:3128"), ("no_proxy", "github.com")],
                "https://api.github.com"
            )
            .is_none()
        );
    }

    #[test]
    fn describe_names_the_variable_and_hides_the_credentials() {
        let c = config(&[
            ("HTTPS_PROXY", "http://alice:s3cr%40t@proxy.corp:3128"),
            ("NO_PROXY", "ghes.corp"),
        ])
        .unwrap();
        let line = c.describe_for("https://api.github.com");
        assert_eq!(
            line,
            "http://proxy.corp:3128 (from HTTPS_PROXY, with credentials)"
        );
        assert_eq!(
            c.describe_for("https://ghes.corp/api/v3"),
            "none (NO_PROXY matches ghes.corp)"
        );
        let debug = format!("{c:?}");
        assert!(
            !debug.contains("s3cr") && !debug.contains("alice"),
            "{debug}"
        );
    }

    #[test]
    fn a_value_that_is_not_a_url_names_the_variable_not_the_value() {
        let err = config(&[("HTTPS_PROXY", "http://pw:hunter2@proxy:notaport")]).unwrap_err();
        assert!(
            matches!(
                err,
                ProxyError::NotAUrl {
                    var: "HTTPS_PROXY",
                    ..
                }
            ),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(text.starts_with("HTTPS_PROXY is not a proxy URL (invalid port number)"));
        assert!(!text.contains("hunter2"), "{text}");

        let err = config(&[("http_proxy", "http://")]).unwrap_err();
        assert!(matches!(
            err,
            ProxyError::NotAUrl {
                var: "http_proxy",
                ..
            }
        ));

        // Checked even where no request would use it.
        let err = config(&[
            ("HTTPS_PROXY", "http://ok:3128"),
            ("ALL_PROXY", "socks5://localhost:1080"),
        ])
        .unwrap_err();
        assert_eq!(
            err,
            ProxyError::UnsupportedScheme {
                var: "ALL_PROXY",
                scheme: "socks5".into()
            }
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_value_that_is_not_utf8_is_an_error() {
        use std::os::unix::ffi::OsStringExt;
        let bad = OsString::from_vec(vec![b'h', 0xff]);
        let err = ProxyConfig::from_lookup(|name| (name == "ALL_PROXY").then(|| bad.clone()))
            .unwrap_err();
        assert_eq!(err, ProxyError::NotUtf8 { var: "ALL_PROXY" });
    }
}
