//! The real GitHub client: octocrab's raw calls (relative paths, so octocrab attaches the
//! token only for its own base URI), our own models, ETags, rate-limit tracking, and no
//! automatic retries — GETs are re-polled by the scheduler with backoff, mutations never.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use futures::FutureExt;
use futures::future::BoxFuture;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use http_body_util::BodyExt;
use octocrab::Octocrab;
use octocrab::service::middleware::retry::RetryConfig;
use serde::de::DeserializeOwned;

/// What octocrab's raw calls answer with.
type OctoBody = http_body_util::combinators::BoxBody<Bytes, octocrab::Error>;

use super::api::{
    ActiveRollback, ApiResult, ClientStats, DeploymentState, DispatchOutcome, Fetched, GitHub,
    ROLLBACK_TASK, RateInfo,
};
use super::error::ApiError;
use super::models::{
    CommitSummary, Comparison, ContentFile, Deployment, DeploymentStatus, DispatchRunDetails,
    EnvironmentApproval, Job, JobsPage, PendingDeployment, RateLimitResponse, Release, Workflow,
    WorkflowRun, WorkflowRunsPage, WorkflowsPage,
};
use super::proxied;
use super::proxy::{ProxyConfig, ProxyVar};
use crate::clock::SharedClock;

/// GitHub refuses deployment status descriptions longer than this (422).
const MAX_STATUS_DESCRIPTION: usize = 140;

/// How many of the newest rollback deployments [`GitHub::active_rollback`] looks at: enough
/// to step over a few stale ones, few enough to keep the per-deployment status GETs cheap.
const ROLLBACK_LOOKBACK: u8 = 10;

/// Logs larger than this are cut (with a note) rather than exhausting memory.
pub const MAX_LOG_BYTES: usize = 256 * 1024 * 1024;

pub struct ClientOptions {
    pub api_url: String,
    pub token: Option<String>,
    /// Where the token came from, for the 401 message (never the token itself).
    pub token_source: String,
    pub timeout: Duration,
    pub clock: SharedClock,
    /// Proxies from the environment (`ProxyConfig::from_env`), or none.
    pub proxy: ProxyConfig,
}

pub struct HttpGitHub {
    octo: Octocrab,
    plain: reqwest::Client,
    proxy: ProxyConfig,
    /// The proxy API requests go through, named in errors that come from it.
    api_proxy: Option<ProxyVar>,
    token_source: String,
    timeout: Duration,
    clock: SharedClock,
    etags: Mutex<HashMap<String, (HeaderValue, Bytes)>>,
    rate: Mutex<Option<RateInfo>>,
    quota_costing: AtomicU64,
    not_modified: AtomicU64,
    failed: AtomicU64,
}

impl HttpGitHub {
    pub fn new(opts: ClientOptions) -> color_eyre::Result<HttpGitHub> {
        use color_eyre::eyre::WrapErr;
        let api_url = opts.api_url.trim_end_matches('/');
        let api_proxy = opts.proxy.for_str(api_url).cloned();
        let octo = match &api_proxy {
            // Without a proxy, octocrab's own client, exactly as before proxies existed.
            None => {
                let mut builder = Octocrab::builder()
                    .base_uri(api_url)
                    .wrap_err_with(|| format!("api_url {:?} is not a valid URL", opts.api_url))?
                    .add_retry_config(RetryConfig::None)
                    .set_connect_timeout(Some(Duration::from_secs(5)))
                    .set_read_timeout(Some(opts.timeout));
                if let Some(token) = &opts.token {
                    builder = builder.personal_token(token.clone());
                }
                builder.build().wrap_err("building the GitHub client")?
            }
            Some(via) => {
                tracing::info!(proxy = %via, "GitHub API requests go through a proxy");
                proxied::octocrab(api_url, opts.token.as_deref(), opts.timeout, &opts.proxy)?
            }
        };
        // Log downloads go to another host: a separate client that never carries the token,
        // through the same proxies (by the log host's own rules: NO_PROXY may differ).
        let plain = opts
            .proxy
            .apply(reqwest::Client::builder())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(120))
            .build()
            .wrap_err("building the log download client")?;
        Ok(HttpGitHub {
            octo,
            plain,
            proxy: opts.proxy,
            api_proxy,
            token_source: opts.token_source,
            timeout: opts.timeout,
            clock: opts.clock,
            etags: Mutex::new(HashMap::new()),
            rate: Mutex::new(None),
            quota_costing: AtomicU64::new(0),
            not_modified: AtomicU64::new(0),
            failed: AtomicU64::new(0),
        })
    }

    fn headers(etag: Option<&HeaderValue>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/vnd.github+json"),
        );
        h.insert(
            "x-github-api-version",
            HeaderValue::from_static("2022-11-28"),
        );
        if let Some(etag) = etag {
            h.insert(header::IF_NONE_MATCH, etag.clone());
        }
        h
    }

    /// A conditional GET: sends the cached ETag, answers 304s from the cache.
    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> ApiResult<Fetched<T>> {
        let cached = self
            .etags
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(path)
            .cloned();
        let (status, headers, body) = self
            .send(path, Self::headers(cached.as_ref().map(|(e, _)| e)))
            .await?;
        if status == StatusCode::NOT_MODIFIED {
            if let Some((_, body)) = cached {
                self.not_modified.fetch_add(1, Ordering::Relaxed);
                let value = decode(path, &body)?;
                return Ok(Fetched {
                    value,
                    not_modified: true,
                });
            }
        }
        self.quota_costing.fetch_add(1, Ordering::Relaxed);
        if !status.is_success() {
            return Err(self.fail(self.classify(path, status, &headers, &body)));
        }
        let value = decode(path, &body).map_err(|e| self.fail(e))?;
        if let Some(etag) = headers.get(header::ETAG) {
            self.etags
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(path.to_string(), (etag.clone(), body));
        }
        Ok(Fetched {
            value,
            not_modified: false,
        })
    }

    /// One GET through octocrab, bounded in time, body read in full.
    async fn send(
        &self,
        path: &str,
        headers: HeaderMap,
    ) -> ApiResult<(StatusCode, HeaderMap, Bytes)> {
        self.exchange(self.octo._get_with_headers(path, Some(headers)))
            .await
    }

    /// One POST, sent once: whatever the answer (or a timeout, when nobody knows whether it
    /// took effect), it is handed back as is and never re-sent here.
    async fn post_raw(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> ApiResult<(StatusCode, HeaderMap, Bytes)> {
        let answer = self.exchange(self.octo._post(path, Some(body))).await?;
        self.quota_costing.fetch_add(1, Ordering::Relaxed);
        Ok(answer)
    }

    /// A POST that is sent exactly once, whatever happens: the body of its 2xx answer.
    async fn post_once(&self, path: &str, body: serde_json::Value) -> ApiResult<Bytes> {
        let (status, headers, body) = self.post_raw(path, &body).await?;
        if status.is_success() {
            Ok(body)
        } else {
            Err(self.fail(self.classify(path, status, &headers, &body)))
        }
    }

    async fn review(
        &self,
        repo: &str,
        run_id: u64,
        environment_ids: &[u64],
        approve: bool,
        comment: &str,
    ) -> ApiResult<Vec<Deployment>> {
        let path = format!("/repos/{repo}/actions/runs/{run_id}/pending_deployments");
        let body = serde_json::json!({
            "environment_ids": environment_ids,
            "state": if approve { "approved" } else { "rejected" },
            "comment": comment,
        });
        let answer = self.post_once(&path, body).await?;
        if answer.iter().all(u8::is_ascii_whitespace) {
            return Ok(vec![]);
        }
        // The review is done once GitHub said 2xx: an unreadable list of deployments must not
        // look like a failed review (the operator would review again, or be told it failed).
        match decode::<Vec<Deployment>>(&path, &answer) {
            Ok(deployments) => Ok(deployments),
            Err(e) => {
                tracing::warn!(
                    "review of run {run_id} accepted, but its answer was unreadable: {e}"
                );
                Ok(vec![])
            }
        }
    }

    async fn send_dispatch(
        &self,
        repo: &str,
        workflow: &str,
        git_ref: &str,
        inputs: &serde_json::Map<String, serde_json::Value>,
    ) -> ApiResult<DispatchOutcome> {
        let path = format!(
            "/repos/{repo}/actions/workflows/{}/dispatches",
            encode_segment(workflow)
        );
        let mut body = serde_json::json!({
            "ref": git_ref,
            "inputs": inputs,
            "return_run_details": true,
        });
        let (status, headers, answer) = self.post_raw(&path, &body).await?;
        if status.is_success() {
            return Ok(dispatch_outcome(&path, status, &answer, false));
        }
        if !rejects_run_details(status, &answer) {
            return Err(self.fail(self.classify(&path, status, &headers, &answer)));
        }
        // Not a blind retry: a 400/422 means GitHub validated the request and dispatched
        // nothing, and it named `return_run_details` as what it did not accept (GitHub
        // Enterprise Server from before the field). The same dispatch without the field is
        // therefore the first one that can take effect. A timeout, a 5xx or any other 4xx is
        // never re-sent: there the first request may have dispatched a run.
        tracing::info!(
            "{path}: the server does not accept return_run_details; dispatching without it"
        );
        if let Some(fields) = body.as_object_mut() {
            fields.remove("return_run_details");
        }
        let (status, headers, answer) = self.post_raw(&path, &body).await?;
        if status.is_success() {
            return Ok(dispatch_outcome(&path, status, &answer, true));
        }
        Err(self.fail(self.classify(&path, status, &headers, &answer)))
    }

    async fn new_deployment(
        &self,
        repo: &str,
        git_ref: &str,
        environment: &str,
        task: &str,
        description: &str,
    ) -> ApiResult<Deployment> {
        let path = format!("/repos/{repo}/deployments");
        // `production_environment` is left to GitHub's default (true for "production"): the
        // caller knows no better, and a wrong `false` would hide the deployment from
        // GitHub's production views.
        let body = serde_json::json!({
            "ref": git_ref,
            "environment": environment,
            "task": task,
            "auto_merge": false,
            "required_contexts": [],
            "description": description,
            "transient_environment": false,
        });
        let (status, headers, answer) = self.post_raw(&path, &body).await?;
        if !status.is_success() {
            return Err(self.fail(self.classify(&path, status, &headers, &answer)));
        }
        // 202 is GitHub's "merged the default branch into the ref instead": no deployment
        // exists. `auto_merge: false` should rule it out; if it happens anyway it must not
        // look like a deployment the caller can post statuses on.
        if status == StatusCode::ACCEPTED {
            let message = github_message(&answer).unwrap_or_else(|| "merged instead".into());
            return Err(self.fail(ApiError::Http {
                status: 202,
                message: format!("{message} (no deployment was created for {git_ref})"),
            }));
        }
        decode::<Deployment>(&path, &answer).map_err(|e| {
            // The deployment exists now: say so, or the operator would create a second one.
            self.fail(ApiError::Decode {
                what: path.clone(),
                detail: format!(
                    "GitHub created the deployment ({status}) but its answer was unreadable: {e}"
                ),
            })
        })
    }

    async fn new_deployment_status(
        &self,
        repo: &str,
        deployment_id: u64,
        state: &str,
        description: &str,
        log_url: Option<&str>,
    ) -> ApiResult<DeploymentStatus> {
        let path = format!("/repos/{repo}/deployments/{deployment_id}/statuses");
        let description: String = description.chars().take(MAX_STATUS_DESCRIPTION).collect();
        let mut body = serde_json::json!({ "state": state, "description": description });
        if let (Some(url), Some(fields)) = (log_url, body.as_object_mut()) {
            // `log_url` supersedes `target_url`; GitHub copies it there itself.
            fields.insert("log_url".into(), url.into());
        }
        let answer = self.post_once(&path, body).await?;
        decode::<DeploymentStatus>(&path, &answer).map_err(|e| {
            self.fail(ApiError::Decode {
                what: path.clone(),
                detail: format!(
                    "GitHub recorded the {state} status but its answer was unreadable: {e}"
                ),
            })
        })
    }

    async fn running_rollback(
        &self,
        repo: &str,
        environment: &str,
        stale_after: Duration,
    ) -> ApiResult<Option<ActiveRollback>> {
        let path = format!(
            "/repos/{repo}/deployments?environment={}&task={ROLLBACK_TASK}&per_page={ROLLBACK_LOOKBACK}",
            encode_query(environment)
        );
        let list: Fetched<Vec<Deployment>> = self.get_json(&path).await?;
        let stale_after =
            chrono::TimeDelta::from_std(stale_after).unwrap_or(chrono::TimeDelta::MAX);
        let now = self.clock.now();
        let mut newest_first = list.value;
        // GitHub lists newest first already; sorting keeps the rule true for any server.
        newest_first.sort_by_key(|d| std::cmp::Reverse((d.created_at, d.id)));
        for deployment in newest_first {
            // Filtered again: a server that ignored `task=` must not turn deploys into
            // rollbacks.
            if deployment.task != ROLLBACK_TASK || deployment.environment != environment {
                continue;
            }
            let path = format!(
                "/repos/{repo}/deployments/{}/statuses?per_page=1",
                deployment.id
            );
            let statuses: Fetched<Vec<DeploymentStatus>> = self.get_json(&path).await?;
            let candidate = ActiveRollback {
                deployment,
                status: statuses.value.into_iter().next(),
            };
            if !candidate.unfinished() {
                // A finished rollback supersedes every older one, stuck or not.
                return Ok(None);
            }
            if now.signed_duration_since(candidate.last_activity()) <= stale_after {
                return Ok(Some(candidate));
            }
            tracing::info!(
                "ignoring stale rollback deployment {} of {environment} by {} (last activity {})",
                candidate.deployment.id,
                candidate.by(),
                candidate.last_activity()
            );
        }
        Ok(None)
    }

    async fn file_text(&self, repo: &str, path: &str, git_ref: &str) -> ApiResult<String> {
        let url = format!(
            "/repos/{repo}/contents/{}?ref={}",
            encode_path(path),
            encode_query(git_ref)
        );
        let what = format!("{repo}:{path}@{git_ref}");
        let fetched: Fetched<serde_json::Value> = self.get_json(&url).await?;
        if fetched.value.is_array() {
            return Err(self.fail(ApiError::Decode {
                what,
                detail: "is a directory, not a file".into(),
            }));
        }
        let file: ContentFile = serde_json::from_value(fetched.value).map_err(|e| {
            self.fail(ApiError::Decode {
                what: what.clone(),
                detail: e.to_string(),
            })
        })?;
        if file.kind != "file" {
            return Err(self.fail(ApiError::Decode {
                what,
                detail: format!("is a {}, not a file", file.kind),
            }));
        }
        let bytes = file.decoded().map_err(|e| {
            self.fail(ApiError::Decode {
                what: what.clone(),
                detail: e.to_string(),
            })
        })?;
        String::from_utf8(bytes).map_err(|e| {
            self.fail(ApiError::Decode {
                what,
                detail: format!("not UTF-8 text: {e}"),
            })
        })
    }

    async fn dispatched_run(
        &self,
        repo: &str,
        workflow: &str,
        git_ref: &str,
        since: DateTime<Utc>,
    ) -> ApiResult<Option<WorkflowRun>> {
        // A dispatched run's `head_branch` is the branch or tag name, without `refs/...`.
        let short = git_ref
            .strip_prefix("refs/heads/")
            .or_else(|| git_ref.strip_prefix("refs/tags/"))
            .unwrap_or(git_ref);
        // No `created=` filter: a fixed URL keeps the ETag useful while the caller polls.
        let path = format!(
            "/repos/{repo}/actions/workflows/{}/runs?event=workflow_dispatch&branch={}&per_page=30",
            encode_segment(workflow),
            encode_query(short)
        );
        let page: Fetched<WorkflowRunsPage> = self.get_json(&path).await?;
        Ok(page
            .value
            .workflow_runs
            .into_iter()
            .filter(|r| {
                r.created_at >= since
                    && r.event == "workflow_dispatch"
                    && r.head_branch.as_deref().is_none_or(|b| b == short)
            })
            .min_by_key(|r| (r.created_at, r.id)))
    }

    /// Awaits one octocrab request and its whole body within the timeout, and records the
    /// rate limit it reports.
    async fn exchange(
        &self,
        request: impl Future<Output = octocrab::Result<http::Response<OctoBody>>>,
    ) -> ApiResult<(StatusCode, HeaderMap, Bytes)> {
        let secs = self.timeout.as_secs().max(1);
        let call = async {
            let resp = request.await.map_err(map_octo_error)?;
            let (parts, body) = resp.into_parts();
            let body = body.collect().await.map_err(map_octo_error)?.to_bytes();
            Ok::<_, ApiError>((parts.status, parts.headers, body))
        };
        let (status, headers, body) = tokio::time::timeout(self.timeout, call)
            .await
            .map_err(|_| self.fail(ApiError::Timeout { secs }))?
            .map_err(|e| self.fail(blame_proxy(self.api_proxy.as_ref(), with_secs(e, secs))))?;
        self.record_rate(&headers);
        Ok((status, headers, body))
    }

    fn fail(&self, e: ApiError) -> ApiError {
        self.failed.fetch_add(1, Ordering::Relaxed);
        e
    }

    fn record_rate(&self, headers: &HeaderMap) {
        if let Some(info) = rate_from_headers(headers) {
            *self.rate.lock().unwrap_or_else(|p| p.into_inner()) = Some(info);
        }
    }

    fn classify(
        &self,
        path: &str,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> ApiError {
        if status == StatusCode::PROXY_AUTHENTICATION_REQUIRED {
            return proxy_refused(self.api_proxy.as_ref());
        }
        classify(
            path,
            status,
            headers,
            body,
            self.clock.now(),
            &self.token_source,
        )
    }

    async fn download_log(&self, repo: &str, job_id: u64) -> ApiResult<Vec<u8>> {
        let path = format!("/repos/{repo}/actions/jobs/{job_id}/logs");
        let (status, headers, body) = self.send(&path, Self::headers(None)).await?;
        self.quota_costing.fetch_add(1, Ordering::Relaxed);
        if status.is_success() {
            return Ok(body.to_vec());
        }
        if !status.is_redirection() {
            return Err(self.fail(self.classify(&path, status, &headers, &body)));
        }
        let location = headers
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .ok_or_else(|| {
                self.fail(ApiError::Decode {
                    what: path.clone(),
                    detail: "redirect without a Location header".into(),
                })
            })?;
        let log_proxy = self.proxy.for_str(location);
        // The log host is not GitHub's API: this client has no token to forward.
        let mut resp = self
            .plain
            .get(location)
            .send()
            .await
            .map_err(|e| self.fail(blame_proxy(log_proxy, map_reqwest_error(e))))?;
        if resp.status() == StatusCode::PROXY_AUTHENTICATION_REQUIRED {
            return Err(self.fail(proxy_refused(log_proxy)));
        }
        if !resp.status().is_success() {
            return Err(self.fail(ApiError::Http {
                status: resp.status().as_u16(),
                message: "downloading the job log".into(),
            }));
        }
        let mut out = Vec::with_capacity(resp.content_length().unwrap_or(0).min(1 << 26) as usize);
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| self.fail(map_reqwest_error(e)))?
        {
            if out.len() + chunk.len() > MAX_LOG_BYTES {
                out.extend_from_slice(b"\n[cockpit: log cut at 256 MiB]\n");
                break;
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }
}

impl GitHub for HttpGitHub {
    fn list_runs<'a>(
        &'a self,
        repo: &'a str,
        workflow: Option<&'a str>,
        branch: Option<&'a str>,
    ) -> BoxFuture<'a, ApiResult<Fetched<Vec<WorkflowRun>>>> {
        async move {
            let mut path = match workflow {
                Some(w) => format!("/repos/{repo}/actions/workflows/{w}/runs?per_page=30"),
                None => format!("/repos/{repo}/actions/runs?per_page=50"),
            };
            if let Some(b) = branch {
                path.push_str("&branch=");
                path.push_str(&encode_query(b));
            }
            let page: Fetched<WorkflowRunsPage> = self.get_json(&path).await?;
            Ok(Fetched {
                value: page.value.workflow_runs,
                not_modified: page.not_modified,
            })
        }
        .boxed()
    }

    fn get_run<'a>(
        &'a self,
        repo: &'a str,
        run_id: u64,
    ) -> BoxFuture<'a, ApiResult<Fetched<WorkflowRun>>> {
        async move {
            self.get_json(&format!("/repos/{repo}/actions/runs/{run_id}"))
                .await
        }
        .boxed()
    }

    fn list_jobs<'a>(
        &'a self,
        repo: &'a str,
        run_id: u64,
    ) -> BoxFuture<'a, ApiResult<Fetched<Vec<Job>>>> {
        async move {
            let path =
                format!("/repos/{repo}/actions/runs/{run_id}/jobs?filter=latest&per_page=100");
            let page: Fetched<JobsPage> = self.get_json(&path).await?;
            Ok(Fetched {
                value: page.value.jobs,
                not_modified: page.not_modified,
            })
        }
        .boxed()
    }

    fn job_log<'a>(&'a self, repo: &'a str, job_id: u64) -> BoxFuture<'a, ApiResult<Vec<u8>>> {
        self.download_log(repo, job_id).boxed()
    }

    fn rerun<'a>(
        &'a self,
        repo: &'a str,
        run_id: u64,
        failed_only: bool,
    ) -> BoxFuture<'a, ApiResult<()>> {
        async move {
            let what = if failed_only {
                "rerun-failed-jobs"
            } else {
                "rerun"
            };
            let path = format!("/repos/{repo}/actions/runs/{run_id}/{what}");
            self.post_once(&path, serde_json::json!({})).await.map(drop)
        }
        .boxed()
    }

    fn cancel<'a>(&'a self, repo: &'a str, run_id: u64) -> BoxFuture<'a, ApiResult<()>> {
        async move {
            let path = format!("/repos/{repo}/actions/runs/{run_id}/cancel");
            self.post_once(&path, serde_json::json!({})).await.map(drop)
        }
        .boxed()
    }

    fn pending_deployments<'a>(
        &'a self,
        repo: &'a str,
        run_id: u64,
    ) -> BoxFuture<'a, ApiResult<Vec<PendingDeployment>>> {
        async move {
            let path = format!("/repos/{repo}/actions/runs/{run_id}/pending_deployments");
            Ok(self.get_json(&path).await?.value)
        }
        .boxed()
    }

    fn approvals<'a>(
        &'a self,
        repo: &'a str,
        run_id: u64,
    ) -> BoxFuture<'a, ApiResult<Vec<EnvironmentApproval>>> {
        async move {
            let path = format!("/repos/{repo}/actions/runs/{run_id}/approvals");
            Ok(self.get_json(&path).await?.value)
        }
        .boxed()
    }

    fn review_pending<'a>(
        &'a self,
        repo: &'a str,
        run_id: u64,
        environment_ids: &'a [u64],
        approve: bool,
        comment: &'a str,
    ) -> BoxFuture<'a, ApiResult<Vec<Deployment>>> {
        self.review(repo, run_id, environment_ids, approve, comment)
            .boxed()
    }

    fn list_workflows<'a>(&'a self, repo: &'a str) -> BoxFuture<'a, ApiResult<Vec<Workflow>>> {
        async move {
            let path = format!("/repos/{repo}/actions/workflows?per_page=100");
            let page: Fetched<WorkflowsPage> = self.get_json(&path).await?;
            Ok(page.value.workflows)
        }
        .boxed()
    }

    fn workflow_file<'a>(
        &'a self,
        repo: &'a str,
        path: &'a str,
        git_ref: &'a str,
    ) -> BoxFuture<'a, ApiResult<String>> {
        self.file_text(repo, path, git_ref).boxed()
    }

    fn dispatch<'a>(
        &'a self,
        repo: &'a str,
        workflow: &'a str,
        git_ref: &'a str,
        inputs: &'a serde_json::Map<String, serde_json::Value>,
    ) -> BoxFuture<'a, ApiResult<DispatchOutcome>> {
        self.send_dispatch(repo, workflow, git_ref, inputs).boxed()
    }

    fn find_dispatched_run<'a>(
        &'a self,
        repo: &'a str,
        workflow: &'a str,
        git_ref: &'a str,
        since: DateTime<Utc>,
    ) -> BoxFuture<'a, ApiResult<Option<WorkflowRun>>> {
        self.dispatched_run(repo, workflow, git_ref, since).boxed()
    }

    fn deployments<'a>(
        &'a self,
        repo: &'a str,
        environment: &'a str,
        limit: u8,
    ) -> BoxFuture<'a, ApiResult<Vec<DeploymentState>>> {
        async move {
            let path = format!(
                "/repos/{repo}/deployments?environment={}&per_page={limit}",
                encode_query(environment)
            );
            let list: Fetched<Vec<Deployment>> = self.get_json(&path).await?;
            let mut out = Vec::with_capacity(list.value.len());
            // One conditional GET per deployment: mostly 304s, which cost no quota.
            for deployment in list.value {
                let path = format!(
                    "/repos/{repo}/deployments/{}/statuses?per_page=1",
                    deployment.id
                );
                let statuses: Fetched<Vec<DeploymentStatus>> = self.get_json(&path).await?;
                out.push(DeploymentState {
                    deployment,
                    status: statuses.value.into_iter().next(),
                });
            }
            Ok(out)
        }
        .boxed()
    }

    fn create_deployment<'a>(
        &'a self,
        repo: &'a str,
        git_ref: &'a str,
        environment: &'a str,
        task: &'a str,
        description: &'a str,
    ) -> BoxFuture<'a, ApiResult<Deployment>> {
        self.new_deployment(repo, git_ref, environment, task, description)
            .boxed()
    }

    fn create_deployment_status<'a>(
        &'a self,
        repo: &'a str,
        deployment_id: u64,
        state: &'a str,
        description: &'a str,
        log_url: Option<&'a str>,
    ) -> BoxFuture<'a, ApiResult<DeploymentStatus>> {
        self.new_deployment_status(repo, deployment_id, state, description, log_url)
            .boxed()
    }

    fn list_releases<'a>(
        &'a self,
        repo: &'a str,
        per_page: u8,
    ) -> BoxFuture<'a, ApiResult<Vec<Release>>> {
        async move {
            let path = format!("/repos/{repo}/releases?per_page={}", per_page.clamp(1, 100));
            Ok(self.get_json(&path).await?.value)
        }
        .boxed()
    }

    fn commit<'a>(
        &'a self,
        repo: &'a str,
        git_ref: &'a str,
    ) -> BoxFuture<'a, ApiResult<CommitSummary>> {
        async move {
            let path = format!("/repos/{repo}/commits/{}", encode_ref(git_ref));
            Ok(self.get_json(&path).await?.value)
        }
        .boxed()
    }

    fn compare<'a>(
        &'a self,
        repo: &'a str,
        base: &'a str,
        head: &'a str,
    ) -> BoxFuture<'a, ApiResult<Comparison>> {
        async move {
            let path = format!(
                "/repos/{repo}/compare/{}...{}",
                encode_ref(base),
                encode_ref(head)
            );
            Ok(self.get_json(&path).await?.value)
        }
        .boxed()
    }

    fn active_rollback<'a>(
        &'a self,
        repo: &'a str,
        environment: &'a str,
        stale_after: Duration,
    ) -> BoxFuture<'a, ApiResult<Option<ActiveRollback>>> {
        self.running_rollback(repo, environment, stale_after)
            .boxed()
    }

    fn rate_limit(&self) -> BoxFuture<'_, ApiResult<RateInfo>> {
        async move {
            let (status, headers, body) = self.send("/rate_limit", Self::headers(None)).await?;
            if !status.is_success() {
                return Err(self.fail(self.classify("/rate_limit", status, &headers, &body)));
            }
            let r: RateLimitResponse = decode("/rate_limit", &body).map_err(|e| self.fail(e))?;
            let b = r.resources.core;
            let info = RateInfo {
                limit: b.limit,
                remaining: b.remaining,
                used: b.used,
                reset: Utc.timestamp_opt(b.reset, 0).single(),
            };
            *self.rate.lock().unwrap_or_else(|p| p.into_inner()) = Some(info);
            Ok(info)
        }
        .boxed()
    }

    fn last_rate(&self) -> Option<RateInfo> {
        *self.rate.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn stats(&self) -> ClientStats {
        ClientStats {
            quota_costing: self.quota_costing.load(Ordering::Relaxed),
            not_modified: self.not_modified.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
        }
    }
}

fn decode<T: DeserializeOwned>(path: &str, body: &[u8]) -> ApiResult<T> {
    serde_json::from_slice(body).map_err(|e| ApiError::Decode {
        what: path.to_string(),
        detail: e.to_string(),
    })
}

/// Percent-encodes every byte but RFC 3986's unreserved ones and those in `keep`.
fn percent_encode(s: &str, keep: &[u8]) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b if keep.contains(&b) => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A query value (`/` may stay: it has no meaning there).
fn encode_query(s: &str) -> String {
    percent_encode(s, b"/")
}

/// One path segment: a `/` inside it must not start a new one.
fn encode_segment(s: &str) -> String {
    percent_encode(s, b"")
}

/// A ref inside `compare/{base}...{head}`: GitHub reads that parameter across segments, so a
/// branch's `/` stays; everything else that could end the ref (`?`, `#`, `%`, spaces) is
/// encoded.
fn encode_ref(s: &str) -> String {
    percent_encode(s, b"/")
}

/// A repository file path: each segment encoded, the separators kept.
fn encode_path(path: &str) -> String {
    path.trim_matches('/')
        .split('/')
        .map(encode_segment)
        .collect::<Vec<_>>()
        .join("/")
}

/// GitHub's `message` from an error body, if it is JSON with one.
fn github_message(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()?
        .get("message")?
        .as_str()
        .map(String::from)
}

/// A refusal of the `return_run_details` field itself, as GitHub Enterprise Server from
/// before the field answers (`"return_run_details" is not a permitted key.`). Only the
/// field's name in GitHub's message counts: an unknown *input* also answers 422, and that
/// one must reach the operator, not trigger a second dispatch.
fn rejects_run_details(status: StatusCode, body: &[u8]) -> bool {
    matches!(status.as_u16(), 400 | 422)
        && github_message(body).is_some_and(|m| m.contains("return_run_details"))
}

/// The outcome of a dispatch GitHub accepted (2xx): run details from a `200`, none from a
/// `204`. The run exists whatever the body says, so an unreadable body is logged and the
/// caller looks the run up instead of being told the dispatch failed.
fn dispatch_outcome(
    path: &str,
    status: StatusCode,
    body: &[u8],
    fell_back: bool,
) -> DispatchOutcome {
    let none = DispatchOutcome {
        fell_back,
        ..DispatchOutcome::default()
    };
    if status == StatusCode::NO_CONTENT || body.iter().all(u8::is_ascii_whitespace) {
        return none;
    }
    match decode::<DispatchRunDetails>(path, body) {
        Ok(d) => DispatchOutcome {
            run_id: Some(d.workflow_run_id),
            run_url: Some(d.run_url),
            html_url: Some(d.html_url),
            fell_back,
        },
        Err(e) => {
            tracing::warn!("dispatch accepted, but its run details were unreadable: {e}");
            none
        }
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

pub fn rate_from_headers(headers: &HeaderMap) -> Option<RateInfo> {
    Some(RateInfo {
        limit: header_u64(headers, "x-ratelimit-limit")?,
        remaining: header_u64(headers, "x-ratelimit-remaining")?,
        used: header_u64(headers, "x-ratelimit-used").unwrap_or(0),
        reset: header_u64(headers, "x-ratelimit-reset")
            .and_then(|s| Utc.timestamp_opt(i64::try_from(s).ok()?, 0).single()),
    })
}

/// Turns a non-2xx answer into an error that says what to do.
pub fn classify(
    path: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
    token_source: &str,
) -> ApiError {
    let message = github_message(body).unwrap_or_else(|| {
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        if text.is_empty() {
            status.canonical_reason().unwrap_or("error").to_string()
        } else {
            text.chars().take(200).collect()
        }
    });
    match status.as_u16() {
        401 => ApiError::Unauthorized {
            token_source: token_source.to_string(),
        },
        403 | 429 => {
            if let Some(secs) = header_u64(headers, "retry-after") {
                return ApiError::RateLimited {
                    until: now + chrono::Duration::seconds(i64::try_from(secs).unwrap_or(60)),
                    secondary: true,
                    message,
                };
            }
            if header_u64(headers, "x-ratelimit-remaining") == Some(0) {
                let until = rate_from_headers(headers)
                    .and_then(|r| r.reset)
                    .unwrap_or(now + chrono::Duration::seconds(60));
                return ApiError::RateLimited {
                    until,
                    secondary: false,
                    message,
                };
            }
            if status.as_u16() == 429 {
                // Secondary limit without retry-after: GitHub says wait at least a minute.
                return ApiError::RateLimited {
                    until: now + chrono::Duration::seconds(60),
                    secondary: true,
                    message,
                };
            }
            ApiError::Http {
                status: 403,
                message,
            }
        }
        404 => ApiError::NotFound {
            what: path.split('?').next().unwrap_or(path).to_string(),
        },
        409 => ApiError::Conflict { message },
        422 => ApiError::Unprocessable {
            what: path.split('?').next().unwrap_or(path).to_string(),
            message,
        },
        s => ApiError::Http { status: s, message },
    }
}

/// octocrab's own read timeout (set to the same duration) can win the race against ours:
/// report the configured timeout rather than "0 s".
fn with_secs(e: ApiError, secs: u64) -> ApiError {
    match e {
        ApiError::Timeout { .. } => ApiError::Timeout { secs },
        e => e,
    }
}

fn map_octo_error(e: octocrab::Error) -> ApiError {
    let text = error_chain(&e);
    let lower = text.to_lowercase();
    if lower.contains("timed out") || lower.contains("timeout") || lower.contains("elapsed") {
        ApiError::Timeout { secs: 0 }
    } else {
        ApiError::Connect(text)
    }
}

fn map_reqwest_error(e: reqwest::Error) -> ApiError {
    if e.is_timeout() {
        ApiError::Timeout { secs: 120 }
    } else if e.is_connect() {
        ApiError::Connect(error_chain(&e))
    } else {
        ApiError::Http {
            status: e.status().map(|s| s.as_u16()).unwrap_or(0),
            message: error_chain(&e),
        }
    }
}

/// A connection that failed while a proxy was in the way failed at (or behind) the proxy:
/// say which one, or the operator looks for the fault at GitHub.
fn blame_proxy(proxy: Option<&ProxyVar>, e: ApiError) -> ApiError {
    match (proxy, e) {
        // A 407 to a CONNECT (https://) surfaces as a connection error, not as an answer.
        (Some(_), ApiError::Connect(message))
            if message.contains("proxy authorization required") =>
        {
            proxy_refused(proxy)
        }
        (Some(proxy), ApiError::Connect(message)) => ApiError::Proxy {
            proxy: proxy.to_string(),
            message,
        },
        (_, e) => e,
    }
}

/// A 407: the proxy wants (other) credentials. Only a proxy answers 407, so even without a
/// configured one (a transparent proxy) it is named as such.
fn proxy_refused(proxy: Option<&ProxyVar>) -> ApiError {
    match proxy {
        Some(proxy) => ApiError::Proxy {
            proxy: proxy.to_string(),
            message: if proxy.has_credentials() {
                format!(
                    "407 Proxy Authentication Required: the proxy refused the user and \
                     password in {}",
                    proxy.name()
                )
            } else {
                format!(
                    "407 Proxy Authentication Required: put the proxy's user and password in \
                     {} (http://user:password@host:port)",
                    proxy.name()
                )
            },
        },
        None => ApiError::Proxy {
            proxy: "on the way (none is configured)".into(),
            message: "407 Proxy Authentication Required: set HTTPS_PROXY (or HTTP_PROXY) to \
                      http://user:password@host:port"
                .into(),
        },
    }
}

/// The innermost causes are the informative ones ("Connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = s.source();
    }
    let last = parts.last().cloned().unwrap_or_default();
    if parts.len() > 1 {
        format!("{last} ({})", parts[0].chars().take(80).collect::<String>())
    } else {
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hm(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn secondary_limit_uses_retry_after() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
        let e = classify(
            "/x",
            StatusCode::FORBIDDEN,
            &hm(&[("retry-after", "30")]),
            br#"{"message":"You have exceeded a secondary rate limit"}"#,
            now,
            "GH_TOKEN",
        );
        assert_eq!(
            e,
            ApiError::RateLimited {
                until: now + chrono::Duration::seconds(30),
                secondary: true,
                message: "You have exceeded a secondary rate limit".into()
            }
        );
    }

    #[test]
    fn primary_limit_waits_for_reset() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
        let reset = now + chrono::Duration::minutes(20);
        let reset_s = reset.timestamp().to_string();
        let e = classify(
            "/x",
            StatusCode::FORBIDDEN,
            &hm(&[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-limit", "5000"),
                ("x-ratelimit-reset", &reset_s),
            ]),
            b"{}",
            now,
            "GH_TOKEN",
        );
        assert!(
            matches!(e, ApiError::RateLimited { until, secondary: false, .. } if until == reset)
        );
    }

    #[test]
    fn unauthorized_names_the_source_not_the_token() {
        let e = classify(
            "/x",
            StatusCode::UNAUTHORIZED,
            &HeaderMap::new(),
            br#"{"message":"Bad credentials"}"#,
            Utc::now(),
            "$GH_TOKEN",
        );
        assert_eq!(
            e.to_string(),
            "401 Unauthorized: GitHub rejected the token from $GH_TOKEN"
        );
    }

    #[test]
    fn conflict_and_plain_errors_keep_github_message() {
        let e = classify(
            "/x",
            StatusCode::CONFLICT,
            &HeaderMap::new(),
            br#"{"message":"Cannot cancel a workflow run that is completed."}"#,
            Utc::now(),
            "t",
        );
        assert!(matches!(e, ApiError::Conflict { .. }));
        let e = classify(
            "/x",
            StatusCode::BAD_GATEWAY,
            &HeaderMap::new(),
            b"<html>",
            Utc::now(),
            "t",
        );
        assert_eq!(
            e,
            ApiError::Http {
                status: 502,
                message: "<html>".into()
            }
        );
        assert!(e.is_transient());
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(encode_query("feature/a b&c"), "feature/a%20b%26c");
        assert_eq!(encode_query("v1.0+build"), "v1.0%2Bbuild");
    }

    #[test]
    fn compare_refs_keep_slashes_and_encode_the_rest() {
        assert_eq!(encode_ref("feature/cart"), "feature/cart");
        assert_eq!(encode_ref("v1.4.0"), "v1.4.0");
        assert_eq!(encode_ref("a b?c#d%"), "a%20b%3Fc%23d%25");
    }

    #[test]
    fn path_segments_are_encoded_separators_kept() {
        assert_eq!(encode_segment("deploy prod/x.yml"), "deploy%20prod%2Fx.yml");
        assert_eq!(
            encode_path("/.github/workflows/de ploy#1.yml"),
            ".github/workflows/de%20ploy%231.yml"
        );
    }

    #[test]
    fn only_a_refusal_naming_return_run_details_falls_back() {
        let legacy =
            br#"{"message":"Invalid request.\n\n\"return_run_details\" is not a permitted key."}"#;
        assert!(rejects_run_details(
            StatusCode::UNPROCESSABLE_ENTITY,
            legacy
        ));
        assert!(rejects_run_details(StatusCode::BAD_REQUEST, legacy));
        // Same text on a status that may have dispatched something: never re-sent.
        assert!(!rejects_run_details(
            StatusCode::INTERNAL_SERVER_ERROR,
            legacy
        ));
        let bad_input = br#"{"message":"Unexpected inputs provided: [\"verison\"]"}"#;
        assert!(!rejects_run_details(
            StatusCode::UNPROCESSABLE_ENTITY,
            bad_input
        ));
        assert!(!rejects_run_details(
            StatusCode::UNPROCESSABLE_ENTITY,
            b"return_run_details (not JSON)"
        ));
    }

    #[test]
    fn accepted_dispatch_without_readable_details_is_still_a_success() {
        let ok = dispatch_outcome(
            "/p",
            StatusCode::OK,
            br#"{"workflow_run_id":7,"run_url":"a","html_url":"b"}"#,
            false,
        );
        assert_eq!(ok.run_id, Some(7));
        assert_eq!(ok.html_url.as_deref(), Some("b"));
        let none = dispatch_outcome("/p", StatusCode::NO_CONTENT, b"", true);
        assert_eq!(
            none,
            DispatchOutcome {
                fell_back: true,
                ..DispatchOutcome::default()
            }
        );
        let garbled = dispatch_outcome("/p", StatusCode::OK, b"{\"workflow_ru", false);
        assert_eq!(garbled.run_id, None);
    }

    #[test]
    fn unprocessable_names_the_path_and_keeps_the_message() {
        let e = classify(
            "/repos/o/r/actions/runs/1/pending_deployments?x=1",
            StatusCode::UNPROCESSABLE_ENTITY,
            &HeaderMap::new(),
            br#"{"message":"No pending deployment requests to approve or reject"}"#,
            Utc::now(),
            "t",
        );
        assert_eq!(
            e,
            ApiError::Unprocessable {
                what: "/repos/o/r/actions/runs/1/pending_deployments".into(),
                message: "No pending deployment requests to approve or reject".into()
            }
        );
        assert!(!e.is_transient());
    }
}
