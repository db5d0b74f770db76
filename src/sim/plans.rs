//! Workflows of the scenario and the jobs/steps each run executes (names, durations, output).

/// A workflow file of the repository.
pub(crate) struct Workflow {
    pub id: u64,
    pub name: &'static str,
    pub file: &'static str,
    pub yaml: &'static str,
    pub dispatchable: bool,
    /// `workflow_dispatch` inputs: (name, required)
    pub inputs: &'static [(&'static str, bool)],
    pub gate: Option<&'static str>,
}

pub(crate) const CI: usize = 0;
pub(crate) const BUILD: usize = 1;
pub(crate) const DEPLOY_STAGING: usize = 2;
pub(crate) const DEPLOY_PRODUCTION: usize = 3;

pub(crate) const WORKFLOWS: &[Workflow] = &[
    Workflow {
        id: 61_220_934,
        name: "CI",
        file: "ci.yml",
        yaml: include_str!("../../tests/fixtures/workflows/ci.yml"),
        dispatchable: false,
        inputs: &[],
        gate: None,
    },
    Workflow {
        id: 61_220_935,
        name: "Build",
        file: "build.yml",
        yaml: include_str!("../../tests/fixtures/workflows/build.yml"),
        dispatchable: false,
        inputs: &[],
        gate: None,
    },
    Workflow {
        id: 61_221_407,
        name: "Deploy Staging",
        file: "deploy-staging.yml",
        yaml: include_str!("../../tests/fixtures/workflows/deploy-staging.yml"),
        dispatchable: true,
        inputs: &[],
        gate: None,
    },
    Workflow {
        id: 61_221_408,
        name: "Deploy Production",
        file: "deploy-production.yml",
        yaml: include_str!("../../tests/fixtures/workflows/deploy-production.yml"),
        dispatchable: true,
        inputs: &[("version", true)],
        gate: Some("production"),
    },
];

pub(crate) fn workflow_index(key: &str) -> Option<usize> {
    WORKFLOWS.iter().position(|w| {
        w.id.to_string() == key || w.file == key || format!(".github/workflows/{}", w.file) == key
    })
}

/// One step: its display name, the command shown in its log group, how long it runs, its output.
#[derive(Clone, Debug)]
pub(crate) struct StepPlan {
    pub name: &'static str,
    pub cmd: &'static str,
    pub secs: i64,
    pub out: &'static [&'static str],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Success,
    /// fails at this step index (0-based)
    FailAt(usize),
    /// not run because a job it needs failed
    Skipped,
}

#[derive(Clone, Debug)]
pub(crate) struct JobPlan {
    pub id: u64,
    pub name: &'static str,
    /// seconds after the attempt's start base
    pub offset: i64,
    pub steps: Vec<StepPlan>,
    pub outcome: Outcome,
    pub runner: u32,
}

impl JobPlan {
    pub(crate) fn duration(&self) -> i64 {
        self.steps.iter().map(|s| s.secs).sum()
    }
}

/// How a run of a workflow behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Variant {
    Normal,
    /// a re-run: caches are warm, everything is quicker
    Warm,
    /// CI whose `test` job fails in `Run tests`
    FailTest,
}

pub(crate) fn job_id(run_id: u64, attempt: u32, idx: usize) -> u64 {
    30_000_000_000 + run_id * 10_000 + u64::from(attempt) * 100 + idx as u64
}

const fn st(
    name: &'static str,
    cmd: &'static str,
    secs: i64,
    out: &'static [&'static str],
) -> StepPlan {
    StepPlan {
        name,
        cmd,
        secs,
        out,
    }
}

const SET_UP: &str = "Set up job";
const COMPLETE: &str = "Complete job";

fn scaled(
    steps: &[(
        &'static str,
        &'static str,
        i64,
        i64,
        &'static [&'static str],
    )],
    warm: bool,
) -> Vec<StepPlan> {
    steps
        .iter()
        .map(|(n, c, slow, fast, o)| st(n, c, if warm { *fast } else { *slow }, o))
        .collect()
}

const TEST_OK: &[&str] = &[
    "   Compiling shop v1.4.0 (/home/runner/work/shop/shop)",
    "    Finished `test` profile [unoptimized + debuginfo] target(s) in 41.27s",
    "     Running unittests src/lib.rs (target/debug/deps/shop-5c1f0e2a9b7d3c11)",
    "running 43 tests",
    "test cart::tests::applies_discount ... ok",
    "test cart::tests::rejects_expired_coupon ... ok",
    "test cart::tests::splits_shipping_and_tax ... ok",
    "test checkout::tests::retries_payment_webhook ... ok",
    "test result: ok. 43 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.84s",
];

const TEST_FAIL: &[&str] = &[
    "   Compiling shop v1.4.0 (/home/runner/work/shop/shop)",
    "    Finished `test` profile [unoptimized + debuginfo] target(s) in 43.02s",
    "     Running unittests src/lib.rs (target/debug/deps/shop-5c1f0e2a9b7d3c11)",
    "running 43 tests",
    "test cart::tests::applies_discount ... ok",
    "test cart::tests::rejects_expired_coupon ... FAILED",
    "test cart::tests::splits_shipping_and_tax ... ok",
    "test cart::coupons::tests::expiry_uses_utc ... FAILED",
    "test checkout::tests::retries_payment_webhook ... ok",
    "failures:",
    "---- cart::tests::rejects_expired_coupon stdout ----",
    "thread 'cart::tests::rejects_expired_coupon' panicked at src/cart/coupons.rs:142:9:",
    "assertion `left == right` failed",
    "  left: Ok(Discount(500))",
    " right: Err(CouponExpired)",
    "---- cart::coupons::tests::expiry_uses_utc stdout ----",
    "thread 'cart::coupons::tests::expiry_uses_utc' panicked at src/cart/coupons.rs:188:5:",
    "coupon valid until 2026-11-21T23:59:59Z accepted at 2026-11-22T00:30:00Z",
    "failures:",
    "    cart::coupons::tests::expiry_uses_utc",
    "    cart::tests::rejects_expired_coupon",
    "test result: FAILED. 41 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.91s",
    "error: test failed, to rerun pass `--lib`",
];

fn ci_jobs(run_id: u64, attempt: u32, variant: Variant) -> Vec<JobPlan> {
    let warm = variant == Variant::Warm;
    let lint = scaled(
        &[
            (SET_UP, "", 1, 1, &[]),
            (
                "Run actions/checkout@v4",
                "actions/checkout@v4",
                2,
                1,
                &[
                    "Syncing repository: acme/shop",
                    "HEAD is now at the pushed commit",
                ],
            ),
            (
                "Run dtolnay/rust-toolchain@stable",
                "dtolnay/rust-toolchain@stable",
                3,
                1,
                &[
                    "info: default toolchain set to 'stable-x86_64-unknown-linux-gnu'",
                    "rustc 1.91.1 (ed61e7d7e 2025-11-07)",
                ],
            ),
            (
                "Run cargo fmt --check",
                "cargo fmt --all -- --check",
                2,
                1,
                &[],
            ),
            (
                "Run cargo clippy",
                "cargo clippy --all-targets -- -D warnings",
                6,
                3,
                &[
                    "    Checking shop v1.4.0 (/home/runner/work/shop/shop)",
                    "    Finished `dev` profile [unoptimized + debuginfo] target(s) in 28.44s",
                ],
            ),
            (COMPLETE, "", 1, 1, &[]),
        ],
        warm,
    );
    let test_out = if variant == Variant::FailTest {
        TEST_FAIL
    } else {
        TEST_OK
    };
    let test = scaled(
        &[
            (SET_UP, "", 1, 1, &[]),
            (
                "Run actions/checkout@v4",
                "actions/checkout@v4",
                2,
                1,
                &[
                    "Syncing repository: acme/shop",
                    "HEAD is now at the pushed commit",
                ],
            ),
            (
                "Run Swatinem/rust-cache@v2",
                "Swatinem/rust-cache@v2",
                3,
                1,
                &["Cache restored from key: v0-rust-test-Linux-x64-9f2c1d"],
            ),
            ("Run tests", "cargo test --locked", 12, 8, test_out),
            (
                "Post Run actions/checkout@v4",
                "",
                1,
                1,
                &[
                    "Post job cleanup.",
                    "[command]/usr/bin/git version",
                    "git version 2.51.0",
                ],
            ),
            (COMPLETE, "", 1, 1, &[]),
        ],
        warm,
    );
    let build = scaled(
        &[
            (SET_UP, "", 1, 1, &[]),
            (
                "Run actions/checkout@v4",
                "actions/checkout@v4",
                2,
                1,
                &["Syncing repository: acme/shop"],
            ),
            (
                "Run cargo build --release",
                "cargo build --release --locked",
                10,
                3,
                &[
                    "   Compiling shop v1.4.0 (/home/runner/work/shop/shop)",
                    "    Finished `release` profile [optimized] target(s) in 1m 52s",
                ],
            ),
            (
                "Run actions/upload-artifact@v4",
                "actions/upload-artifact@v4",
                2,
                1,
                &[
                    "Artifact shop-linux-x64 has been successfully uploaded! Final size is 9482113 bytes.",
                ],
            ),
            (COMPLETE, "", 1, 1, &[]),
        ],
        warm,
    );
    let offset = if warm { 2 } else { 3 };
    let lint_end = offset + lint.iter().map(|s| s.secs).sum::<i64>();
    let (test_outcome, build_outcome) = match variant {
        Variant::FailTest => (Outcome::FailAt(3), Outcome::Skipped),
        _ => (Outcome::Success, Outcome::Success),
    };
    let mut jobs = vec![
        job(run_id, attempt, 0, "lint", offset, lint, Outcome::Success),
        job(run_id, attempt, 1, "test", offset, test, test_outcome),
    ];
    let test_end = offset + jobs[1].duration();
    let build_at = match test_outcome {
        Outcome::FailAt(i) => offset + jobs[1].steps[..=i].iter().map(|s| s.secs).sum::<i64>() + 2,
        _ => test_end.max(lint_end) + 1,
    };
    jobs.push(job(
        run_id,
        attempt,
        2,
        "build",
        build_at,
        build,
        build_outcome,
    ));
    jobs
}

fn build_jobs(run_id: u64, attempt: u32, warm: bool) -> Vec<JobPlan> {
    let image = |name: &'static str| {
        scaled(
            &[
                (SET_UP, "", 1, 1, &[]),
                (
                    "Run actions/checkout@v3",
                    "actions/checkout@v3",
                    2,
                    1,
                    &["Syncing repository: acme/shop"],
                ),
                (
                    "Log in to Container Registry",
                    "docker/login-action@v2",
                    2,
                    1,
                    &["Login Succeeded!"],
                ),
                (
                    "Extract metadata",
                    "docker/metadata-action@v4",
                    1,
                    1,
                    &["Processing tags input", "ghcr.io/acme/shop:main"],
                ),
                (
                    name,
                    "docker/build-push-action@v4",
                    30,
                    10,
                    &["#12 exporting to image", "#12 pushing layers done"],
                ),
                (
                    "Post Run actions/checkout@v3",
                    "",
                    1,
                    1,
                    &["Post job cleanup."],
                ),
                (COMPLETE, "", 1, 1, &[]),
            ],
            warm,
        )
    };
    let odoo = image("Build and push Odoo image");
    let kkt = image("Build and push KKT Adapter image");
    let scan = scaled(
        &[
            (SET_UP, "", 1, 1, &[]),
            (
                "Run actions/checkout@v3",
                "actions/checkout@v3",
                2,
                1,
                &["Syncing repository: acme/shop"],
            ),
            (
                "Run Trivy vulnerability scanner",
                "aquasecurity/trivy-action@master",
                12,
                6,
                &["Total: 0 (CRITICAL: 0, HIGH: 0)"],
            ),
            (
                "Upload Trivy results to GitHub Security",
                "github/codeql-action/upload-sarif@v2",
                3,
                2,
                &["Uploading results", "Successfully uploaded results"],
            ),
            (COMPLETE, "", 1, 1, &[]),
        ],
        warm,
    );
    let scan_at = 3 + odoo.iter().map(|s| s.secs).sum::<i64>() + 1;
    vec![
        job(
            run_id,
            attempt,
            0,
            "Build Odoo Image",
            3,
            odoo,
            Outcome::Success,
        ),
        job(
            run_id,
            attempt,
            1,
            "Build KKT Adapter Image",
            3,
            kkt,
            Outcome::Success,
        ),
        job(
            run_id,
            attempt,
            2,
            "Security Scan (Trivy)",
            scan_at,
            scan,
            Outcome::Success,
        ),
    ]
}

/// The staging deploy: one job; `offset` lets the scenario start it in the past.
fn staging_jobs(run_id: u64, attempt: u32, warm: bool) -> Vec<JobPlan> {
    let steps = scaled(
        &[
            (SET_UP, "", 1, 1, &[]),
            (
                "Run actions/checkout@v3",
                "actions/checkout@v3",
                2,
                1,
                &["Syncing repository: acme/shop"],
            ),
            (
                "Run webfactory/ssh-agent@v0.8.0",
                "webfactory/ssh-agent@v0.8.0",
                2,
                1,
                &[
                    "Adding private key(s) to agent",
                    "Identity added: (stdin) (deploy@acme)",
                ],
            ),
            (
                "Add staging server to known hosts",
                "mkdir -p ~/.ssh",
                2,
                1,
                &["# staging.shop.example.com:22 SSH-2.0-OpenSSH_9.6"],
            ),
            (
                "Deploy to staging",
                "ssh $STAGING_USER@$STAGING_HOST << 'EOF'",
                45,
                8,
                &[
                    "Pulling odoo ... done",
                    "Running migrations ... 0 pending",
                    "Recreating shop_web_1 ... done",
                ],
            ),
            (
                "Smoke tests",
                "curl -f $STAGING_URL/web/health || exit 1",
                8,
                3,
                &["{\"status\":\"UP\"}"],
            ),
            (
                "Notify Slack on success",
                "slackapi/slack-github-action@v1",
                2,
                1,
                &["Slack message sent"],
            ),
            (
                "Post Run actions/checkout@v3",
                "",
                1,
                1,
                &["Post job cleanup."],
            ),
            (COMPLETE, "", 1, 1, &[]),
        ],
        warm,
    );
    vec![job(
        run_id,
        attempt,
        0,
        "Deploy to Staging",
        2,
        steps,
        Outcome::Success,
    )]
}

fn production_jobs(run_id: u64, attempt: u32) -> Vec<JobPlan> {
    let backup = vec![
        st(SET_UP, "", 1, &[]),
        st(
            "Setup SSH",
            "webfactory/ssh-agent@v0.8.0",
            1,
            &["Adding private key(s) to agent"],
        ),
        st(
            "Create backup",
            "ssh $PROD_USER@$PROD_HOST << 'EOF'",
            4,
            &["Backup written: /opt/opticserp/backups/shop-prod.dump (412M)"],
        ),
        st(
            "Upload backup metadata",
            "echo \"Backup created at $(date)\" > backup-info.txt",
            1,
            &[],
        ),
        st(
            "Save backup info",
            "actions/upload-artifact@v3",
            1,
            &["Artifact backup-metadata has been successfully uploaded!"],
        ),
        st(COMPLETE, "", 1, &[]),
    ];
    let deploy = vec![
        st(SET_UP, "", 1, &[]),
        st(
            "Run actions/checkout@v3",
            "actions/checkout@v3",
            1,
            &["Syncing repository: acme/shop"],
        ),
        st(
            "Setup SSH",
            "webfactory/ssh-agent@v0.8.0",
            1,
            &["Adding private key(s) to agent"],
        ),
        st(
            "Deploy to production",
            "ssh $PROD_USER@$PROD_HOST << EOF",
            5,
            &["Pulling odoo ... done", "Recreating shop_web_1 ... done"],
        ),
        st(
            "Verify deployment",
            "curl -f $PROD_URL/web/health || exit 1",
            1,
            &["Deployed version: ok"],
        ),
        st(
            "Run smoke tests",
            "echo \"Smoke tests passed\"",
            1,
            &["Smoke tests passed"],
        ),
        st(
            "Notify Slack on success",
            "slackapi/slack-github-action@v1",
            1,
            &["Slack message sent"],
        ),
        st(
            "Post Run actions/checkout@v3",
            "",
            1,
            &["Post job cleanup."],
        ),
        st(COMPLETE, "", 1, &[]),
    ];
    let deploy_at = 1 + backup.iter().map(|s| s.secs).sum::<i64>() + 1;
    vec![
        job(
            run_id,
            attempt,
            0,
            "Backup Production Database",
            1,
            backup,
            Outcome::Success,
        ),
        job(
            run_id,
            attempt,
            1,
            "Deploy to Production",
            deploy_at,
            deploy,
            Outcome::Success,
        ),
    ]
}

fn job(
    run_id: u64,
    attempt: u32,
    idx: usize,
    name: &'static str,
    offset: i64,
    steps: Vec<StepPlan>,
    outcome: Outcome,
) -> JobPlan {
    JobPlan {
        id: job_id(run_id, attempt, idx),
        name,
        offset,
        steps,
        outcome,
        runner: 1000 + ((run_id as u32).wrapping_mul(7) + idx as u32 * 3 + attempt) % 40,
    }
}

/// The jobs of one attempt of a run of workflow `wf`.
pub(crate) fn jobs_for(wf: usize, run_id: u64, attempt: u32, variant: Variant) -> Vec<JobPlan> {
    let warm = variant == Variant::Warm;
    match wf {
        CI => ci_jobs(run_id, attempt, variant),
        BUILD => build_jobs(run_id, attempt, warm),
        DEPLOY_STAGING => staging_jobs(run_id, attempt, warm),
        _ => production_jobs(run_id, attempt),
    }
}

/// Index of the job that deploys (for workflows with an environment).
pub(crate) fn deploy_job(wf: usize) -> Option<usize> {
    match wf {
        DEPLOY_STAGING => Some(0),
        DEPLOY_PRODUCTION => Some(1),
        _ => None,
    }
}
