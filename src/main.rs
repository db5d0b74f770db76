use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{CommandFactory, Parser, Subcommand};
use color_eyre::eyre::{Result, WrapErr};

use cockpit::clock::{SharedClock, SystemClock};
use cockpit::config::{self, Config, ConfigError};
use cockpit::effects::{self, Backends};
use cockpit::github::client::{ClientOptions, HttpGitHub};
use cockpit::health::HttpProber;
use cockpit::notify::HttpNotifier;
use cockpit::sim::{SimOptions, Simulator};
use cockpit::{audit, demo, logging, manual, palette_history, status, theme, token, tui};

/// A terminal release cockpit: GitHub Actions runs, gates, environment health and rollbacks.
#[derive(Debug, Parser)]
#[command(name = "cockpit", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Config file (default: $COCKPIT_CONFIG, then <config dir>/cockpit.toml).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Colour theme (overrides [ui] theme).
    #[arg(long, global = true, value_name = "NAME")]
    theme: Option<String>,
    /// Refuse every mutating action; nothing is sent.
    #[arg(long, global = true)]
    read_only: bool,
    /// Log level for the log file (error, warn, info, debug, trace).
    #[arg(long, global = true, value_name = "LEVEL", default_value = "info")]
    log_level: String,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The TUI against the embedded simulator: no token, no network.
    Demo(DemoArgs),
    /// One refresh, then print runs (and rate limit) and exit.
    Status {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Parse and validate the config, print what was found (never secrets).
    CheckConfig,
    /// The audit log of mutating actions.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Print a shell completion script to stdout.
    ///
    /// bash: `cockpit completions bash > ~/.local/share/bash-completion/completions/cockpit`;
    /// zsh: `cockpit completions zsh > ~/.zfunc/_cockpit` (with `~/.zfunc` in `$fpath`);
    /// fish: `cockpit completions fish > ~/.config/fish/completions/cockpit.fish`.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout.
    ///
    /// Read it with `cockpit man | man -l -`, or install the pages with
    /// `cockpit man --dir ~/.local/share/man/man1`.
    Man {
        /// Write cockpit.1 and a page per command into DIR instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the audit log's hash chain: exit 0 intact, 1 broken (names the first bad line).
    ///
    /// Removing the last lines cannot be detected by the chain alone: keep the printed last
    /// hash, or a copy of the log, elsewhere.
    Verify {
        /// The log to check (default: [audit] path from the config, else
        /// <state dir>/audit.jsonl).
        #[arg(long, value_name = "PATH")]
        path: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
struct DemoArgs {
    /// Port for the simulator on 127.0.0.1 (default: a free one). Its control endpoint,
    /// e.g. `curl -X POST -d '{"mode":"down"}' http://127.0.0.1:PORT/_sim/health/production`,
    /// flips an environment's health or version while you watch.
    #[arg(long, value_name = "PORT")]
    sim_port: Option<u16>,
}

/// Errors the user fixes by changing their input: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UsageError(String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Generated text only: no config, no log file, no runtime.
    match &cli.command {
        Some(Command::Completions { shell }) => {
            let script = manual::completions(&mut Cli::command(), *shell);
            return print_generated(std::io::stdout().write_all(&script), "completions");
        }
        Some(Command::Man { dir }) => return man(dir.as_deref()),
        _ => {}
    }
    if let Err(e) = color_eyre::install() {
        eprintln!("cockpit: {e}");
        return ExitCode::from(1);
    }
    let _log_guard = logging::log_dir().and_then(|dir| logging::init(&dir, &cli.log_level).ok());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cockpit: starting the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            if e.downcast_ref::<ConfigError>().is_some()
                || e.downcast_ref::<UsageError>().is_some()
                || e.downcast_ref::<token::NoToken>().is_some()
            {
                eprintln!("cockpit: {e}");
                ExitCode::from(2)
            } else {
                tracing::error!(error = %e, "exiting on error");
                eprintln!("cockpit: {e:?}");
                ExitCode::from(1)
            }
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let clock: SharedClock = Arc::new(SystemClock);
    match cli.command {
        Some(Command::Demo(args)) => {
            let mut sim_opts = SimOptions::new(clock.clone());
            sim_opts.port = args.sim_port.unwrap_or(0);
            let sim = match Simulator::start(sim_opts).await {
                Ok(sim) => sim,
                // A port the user picked and cannot have: their input to change (exit 2).
                Err(e) if args.sim_port.is_some_and(|p| p != 0) => {
                    let port = args.sim_port.unwrap_or(0);
                    return Err(UsageError(format!(
                        "--sim-port {port}: cannot listen on 127.0.0.1:{port}: {e}"
                    ))
                    .into());
                }
                Err(e) => return Err(e).wrap_err("starting the embedded simulator"),
            };
            let story = demo::start_story(sim.control());
            let config = demo::config_for(&sim)?;
            let github = client(&config, None, "demo (no token)".into(), clock.clone())?;
            run_tui((&cli.theme, cli.read_only), &config, github, &[], clock).await?;
            story.abort();
            sim.shutdown();
            Ok(ExitCode::SUCCESS)
        }
        // Printed by `main` before anything starts.
        Some(Command::Completions { .. } | Command::Man { .. }) => Ok(ExitCode::SUCCESS),
        Some(Command::CheckConfig) => {
            let (path, config) = config::discover_and_load(cli.config.as_deref())?;
            print!("{}", config::describe(&config, &path));
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Audit {
            command: AuditCommand::Verify { path },
        }) => {
            let path = match path {
                Some(path) => path,
                None => audit_path(cli.config.as_deref())?,
            };
            audit_verify(&path)
        }
        Some(Command::Status { json }) => {
            let (_, config) = config::discover_and_load(cli.config.as_deref())?;
            let (github, _) = authed_client(&config, clock.clone())?;
            let prober = prober()?;
            let report = status::collect(
                github,
                &*prober,
                &config,
                &tui::sources(&config),
                clock.now(),
            )
            .await;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", status::render_table(&report, clock.now()));
            }
            Ok(if report.errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        None => {
            let (_, config) = config::discover_and_load(cli.config.as_deref())?;
            let (github, token) = authed_client(&config, clock.clone())?;
            run_tui(
                (&cli.theme, cli.read_only),
                &config,
                github,
                &[token],
                clock,
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `cockpit man [--dir DIR]`.
fn man(dir: Option<&std::path::Path>) -> ExitCode {
    let result = match dir {
        Some(dir) => manual::man_pages(Cli::command(), dir).map(|files| {
            for f in files {
                println!("{}", f.display());
            }
        }),
        None => manual::man_page(Cli::command(), &mut std::io::stdout()),
    };
    match dir {
        Some(dir) => print_generated(result, &format!("man pages to {}", dir.display())),
        None => print_generated(result, "the man page"),
    }
}

/// Exit code of printing generated text. A reader that stops early (`| head`) is fine.
fn print_generated(result: std::io::Result<()>, what: &str) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cockpit: writing {what}: {e}");
            ExitCode::from(1)
        }
    }
}

/// The audit log to check when no `--path` is given: `[audit] path` of the config if there is
/// one, else `<state_dir>/audit.jsonl`. No config file at the *default* location is fine (the
/// default log is used); one named by `--config`/`$COCKPIT_CONFIG` must exist and be valid.
fn audit_path(explicit_config: Option<&std::path::Path>) -> Result<PathBuf> {
    let configured = match config::discover_and_load(explicit_config) {
        Ok((_, config)) => audit::default_path(&config),
        Err(ConfigError::NotFound {
            origin: config::ConfigOrigin::Default,
            ..
        })
        | Err(ConfigError::NoConfigDir) => config::default_audit_path(),
        Err(e) => return Err(e.into()),
    };
    configured.ok_or_else(|| {
        UsageError(
            "no audit log path: no [audit] path is configured and this platform has no state \
             directory; pass `--path PATH`"
                .into(),
        )
        .into()
    })
}

/// `cockpit audit verify`: 0 intact (or no log yet), 1 broken.
fn audit_verify(path: &std::path::Path) -> Result<ExitCode> {
    match audit::verify(path) {
        Ok(audit::VerifyReport::Intact { entries, last_hash }) => {
            println!("audit log OK: {entries} entries, {}", path.display());
            if let Some(hash) = last_hash {
                // The chain cannot show that its last lines were removed; this hash, kept
                // elsewhere, can.
                println!("last hash: {hash}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Ok(audit::VerifyReport::Broken { line, reason }) => {
            eprintln!(
                "cockpit: audit log {} is broken at line {line}: {reason}",
                path.display()
            );
            if line > 1 {
                eprintln!("lines 1-{} are intact", line - 1);
            }
            Ok(ExitCode::from(1))
        }
        Err(audit::AuditError::NotFound { .. }) => {
            println!(
                "no audit log at {} (nothing has been recorded yet)",
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Err(e.into()),
    }
}

/// Slack/Telegram from `[notify]`; channels whose secrets are missing are named in the log.
fn notifier(config: &Config) -> Arc<HttpNotifier> {
    let env = |k: &str| std::env::var(k).ok();
    let n = HttpNotifier::from_config(&config.notify, &env);
    for problem in n.problems() {
        tracing::warn!(%problem, "notification channel disabled");
    }
    Arc::new(n)
}

fn prober() -> Result<Arc<HttpProber>> {
    Ok(Arc::new(
        HttpProber::new().wrap_err("building the health-check client")?,
    ))
}

fn pick_theme(flag: &Option<String>, config: &Config) -> Result<theme::Theme> {
    let name = flag.as_deref().unwrap_or(&config.ui.theme);
    theme::resolve(name, theme::no_color_requested()).map_err(|e| UsageError(e.to_string()).into())
}

/// The TUI with every backend; `secrets` are kept out of the audit log.
async fn run_tui(
    (theme_flag, read_only): (&Option<String>, bool),
    config: &Config,
    github: Arc<HttpGitHub>,
    secrets: &[String],
    clock: SharedClock,
) -> Result<()> {
    let theme = pick_theme(theme_flag, config)?;
    let mut model = tui::initial_model(config, read_only, clock.now());
    if let Some(path) = palette_history::default_path() {
        // Not fatal: the palette works without its history.
        match palette_history::load(&path) {
            Ok(history) => model.palette_history = history,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "palette history not read")
            }
        }
        model.palette_history_file = Some(path);
    }
    let backends = Backends {
        github,
        prober: prober()?,
        notifier: notifier(config),
        auditor: auditor(config, secrets, clock.clone()),
        clock,
    };
    tui::run(model, theme, backends).await
}

/// The client, and the token to keep out of the audit log.
fn authed_client(config: &Config, clock: SharedClock) -> Result<(Arc<HttpGitHub>, String)> {
    let env = |k: &str| std::env::var(k).ok();
    let tok = token::discover(
        config.github.token_command.as_deref(),
        &config.github.host(),
        &env,
    )?;
    tracing::info!(source = %tok.source, "using GitHub token");
    let secret = tok.value.clone();
    Ok((client(config, Some(tok.value), tok.source, clock)?, secret))
}

/// The audit log every mutation goes through. The actor is the local user: GitHub records
/// the account behind the token itself.
fn auditor(config: &Config, secrets: &[String], clock: SharedClock) -> effects::Auditor {
    let actor = tui::local_user();
    match audit::default_path(config) {
        Some(path) => {
            tracing::info!(path = %path.display(), "audit log");
            effects::Auditor::open(path, actor, secrets, clock)
        }
        None => effects::Auditor::unavailable(
            "no state directory for the audit log: set [audit] path".into(),
            clock,
        ),
    }
}

fn client(
    config: &Config,
    token: Option<String>,
    token_source: String,
    clock: SharedClock,
) -> Result<Arc<HttpGitHub>> {
    Ok(Arc::new(HttpGitHub::new(ClientOptions {
        api_url: config.github.api_url.clone(),
        token,
        token_source,
        timeout: Duration::from_secs(10),
        clock,
    })?))
}
