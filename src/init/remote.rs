//! Which GitHub repository a git remote URL names, and which API serves it.
//!
//! Only the host and `owner/name` are kept: anything else in the URL (a user, a password or
//! token embedded by a CI checkout, an SSH port) never reaches the generated config.

use super::InitError;

/// A repository on github.com or on a GitHub Enterprise host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteRepo {
    /// Lower-case host, `github.com` for the public service.
    pub host: String,
    /// The HTTP(S) port when the remote was an `http(s)://` URL with an explicit port; an SSH
    /// port says nothing about where the API listens, so it is dropped.
    pub web_port: Option<u16>,
    /// `http` only when the remote itself was plain `http://`.
    pub web_scheme: &'static str,
    pub owner: String,
    pub name: String,
}

impl RemoteRepo {
    /// `owner/name`, as `[[repo]] name` wants it.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    /// `[github] api_url` for this host; `None` for github.com, whose API is the default.
    ///
    /// GitHub Enterprise Cloud with data residency (`*.ghe.com`) serves its API at
    /// `api.HOST`; GitHub Enterprise Server at `HOST/api/v3`.
    pub fn api_url(&self) -> Option<String> {
        if self.host == "github.com" {
            return None;
        }
        if self.host.ends_with(".ghe.com") {
            return Some(format!("https://api.{}", self.host));
        }
        let port = self.web_port.map(|p| format!(":{p}")).unwrap_or_default();
        Some(format!("{}://{}{port}/api/v3", self.web_scheme, self.host))
    }

    /// `owner/name` typed by the user (`cockpit init --repo`), on github.com.
    pub fn from_full_name(full: &str) -> Result<RemoteRepo, InitError> {
        let bad = |why: &str| InitError::BadRepo {
            value: full.to_owned(),
            why: why.to_owned(),
        };
        let (owner, name) = full
            .trim()
            .split_once('/')
            .ok_or_else(|| bad("expected owner/name"))?;
        check_owner_and_name(owner, name).map_err(bad)?;
        Ok(RemoteRepo {
            host: "github.com".into(),
            web_port: None,
            web_scheme: "https",
            owner: owner.to_owned(),
            name: name.to_owned(),
        })
    }
}

/// Reads the URL forms git accepts for a remote GitHub repository:
/// `https://github.com/o/r(.git)`, `git@github.com:o/r.git` (scp-like),
/// `ssh://git@host:port/o/r.git`, `git://host/o/r.git`.
pub fn parse_remote(url: &str) -> Result<RemoteRepo, InitError> {
    let url = url.trim();
    let bad = |why: &str| InitError::BadRemote {
        url: redact(url),
        why: why.to_owned(),
    };
    let (host, web_port, web_scheme, path) = if url.contains("://") {
        let parsed = reqwest::Url::parse(url).map_err(|e| bad(&format!("not a URL ({e})")))?;
        let scheme = parsed.scheme();
        let (web_port, web_scheme) = match scheme {
            "https" => (parsed.port(), "https"),
            "http" => (parsed.port(), "http"),
            "ssh" | "git" | "git+ssh" | "ssh+git" => (None, "https"),
            "file" => return Err(bad("a local path, not a GitHub repository")),
            other => return Err(bad(&format!("unsupported scheme {other:?}"))),
        };
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("no host"))?
            .to_owned();
        (host, web_port, web_scheme, parsed.path().to_owned())
    } else {
        scp_like(url).ok_or_else(|| bad("not a URL nor user@host:owner/name"))?
    };
    let host = normalise_host(&host);
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let (owner, name) = path
        .split_once('/')
        .ok_or_else(|| bad("the path is not owner/name"))?;
    check_owner_and_name(owner, name).map_err(bad)?;
    Ok(RemoteRepo {
        host,
        web_port,
        web_scheme,
        owner: owner.to_owned(),
        name: name.to_owned(),
    })
}

/// `[user@]host:path`, git's scp-like syntax. A colon after a slash means a local path.
fn scp_like(url: &str) -> Option<(String, Option<u16>, &'static str, String)> {
    let colon = url.find(':')?;
    if url[..colon].contains('/') {
        return None;
    }
    let host = match url[..colon].rsplit_once('@') {
        Some((_, host)) => host,
        None => &url[..colon],
    };
    if host.is_empty() {
        return None;
    }
    Some((host.to_owned(), None, "https", url[colon + 1..].to_owned()))
}

/// GitHub's SSH-over-443 host and `www.` are github.com.
fn normalise_host(host: &str) -> String {
    let host = host.to_ascii_lowercase();
    match host.as_str() {
        "ssh.github.com" | "www.github.com" => "github.com".to_owned(),
        _ => host,
    }
}

/// The names GitHub allows, which are the ones `[[repo]] name` validation accepts: an owner
/// of letters, digits and inner hyphens; a repository of letters, digits, `-`, `_` and `.`.
fn check_owner_and_name(owner: &str, name: &str) -> Result<(), &'static str> {
    let owner_ok = !owner.is_empty()
        && !owner.starts_with('-')
        && owner.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !owner_ok {
        return Err("the owner is not a GitHub user or organisation name");
    }
    let name_ok = !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !name_ok {
        return Err("the path is not owner/name (GitLab-style subgroups are not GitHub)");
    }
    Ok(())
}

/// A remote URL fit for an error message: a CI checkout often embeds a token as the password
/// (`https://x-access-token:TOKEN@github.com/...`).
fn redact(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() || !parsed.username().is_empty() => {
            // Both setters only fail for URLs that cannot have credentials at all.
            let _ = parsed.set_password(None);
            let _ = parsed.set_username("");
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(url: &str) -> RemoteRepo {
        parse_remote(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn github_com_in_every_spelling() {
        for url in [
            "git@github.com:acme/shop.git",
            "git@github.com:acme/shop",
            "github.com:acme/shop.git",
            "https://github.com/acme/shop",
            "https://github.com/acme/shop.git",
            "https://github.com/acme/shop.git/",
            "https://GitHub.com/acme/shop",
            "ssh://git@github.com/acme/shop.git",
            "ssh://git@ssh.github.com:443/acme/shop.git",
            "git://github.com/acme/shop.git",
            "  https://github.com/acme/shop\n",
        ] {
            let r = ok(url);
            assert_eq!(r.full_name(), "acme/shop", "{url}");
            assert_eq!(r.host, "github.com", "{url}");
            assert_eq!(r.api_url(), None, "{url}");
        }
    }

    #[test]
    fn names_with_dots_underscores_and_hyphens() {
        let r = ok("git@github.com:my-org/shop_v2.web.git");
        assert_eq!(r.full_name(), "my-org/shop_v2.web");
        // `.git` is stripped once: a repository really named `x.git` keeps one.
        assert_eq!(ok("https://github.com/o/x.git.git").name, "x.git");
    }

    #[test]
    fn enterprise_hosts_get_their_api_url() {
        let r = ok("git@git.acme.corp:platform/monorepo.git");
        assert_eq!(r.full_name(), "platform/monorepo");
        assert_eq!(r.api_url().as_deref(), Some("https://git.acme.corp/api/v3"));
        // The SSH port is not the web port.
        let r = ok("ssh://git@git.acme.corp:7999/platform/monorepo.git");
        assert_eq!(r.api_url().as_deref(), Some("https://git.acme.corp/api/v3"));
        // An HTTPS port is.
        let r = ok("https://git.acme.corp:8443/platform/monorepo.git");
        assert_eq!(
            r.api_url().as_deref(),
            Some("https://git.acme.corp:8443/api/v3")
        );
        let r = ok("http://ghe.local/platform/monorepo");
        assert_eq!(r.api_url().as_deref(), Some("http://ghe.local/api/v3"));
        let r = ok("https://octo.ghe.com/acme/shop.git");
        assert_eq!(r.api_url().as_deref(), Some("https://api.octo.ghe.com"));
    }

    #[test]
    fn credentials_in_the_url_are_dropped() {
        let r = ok("https://x-access-token:ghs_SECRET123@github.com/acme/shop.git");
        assert_eq!(r.full_name(), "acme/shop");
        assert!(!format!("{r:?}").contains("SECRET"));
        let err = parse_remote("https://x-access-token:ghs_SECRET123@github.com/acme")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("SECRET"), "{err}");
        assert!(!err.contains("x-access-token"), "{err}");
    }

    #[test]
    fn what_is_not_a_github_repository() {
        for url in [
            "/srv/git/shop.git",
            "../shop",
            "file:///srv/git/shop.git",
            "https://github.com/acme",
            "https://gitlab.com/group/sub/shop.git",
            "git@github.com:-acme/shop.git",
            "git@github.com:acme/..",
            "git@github.com:ac_me/shop.git",
            "svn+ssh://host/acme/shop",
            "",
        ] {
            assert!(parse_remote(url).is_err(), "{url} should be refused");
        }
    }

    #[test]
    fn repo_given_by_hand() {
        let r = RemoteRepo::from_full_name("acme/shop").unwrap();
        assert_eq!((r.full_name(), r.api_url()), ("acme/shop".into(), None));
        assert!(RemoteRepo::from_full_name("acme").is_err());
        assert!(RemoteRepo::from_full_name("acme/shop/x").is_err());
    }
}
