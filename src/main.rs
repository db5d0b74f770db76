use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use color_eyre::eyre::{Result, WrapErr};

use cockpit::clock::{SharedClock, SystemClock};
use cockpit::config::{self, Config, ConfigError};
use cockpit::effects::Backends;
use cockpit::github::client::{ClientOptions, HttpGitHub};
use cockpit::sim::{SimOptions, Simulator};
use cockpit::{demo, logging, status, theme, token, tui};

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
    Demo,
    /// One refresh, then print runs (and rate limit) and exit.
    Status {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Parse and validate the config, print what was found (never secrets).
    CheckConfig,
}

/// Errors the user fixes by changing their input: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UsageError(String);

fn main() -> ExitCode {
    let cli = Cli::parse();
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
        Some(Command::Demo) => {
            let sim = Simulator::start(SimOptions::new(clock.clone()))
                .await
                .wrap_err("starting the embedded simulator")?;
            let config = demo::config_for(&sim)?;
            let github = client(&config, None, "demo (no token)".into(), clock.clone())?;
            let theme = pick_theme(&cli.theme, &config)?;
            let model = tui::initial_model(&config, cli.read_only, clock.now());
            tui::run(model, theme, Backends { github, clock }).await?;
            sim.shutdown();
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::CheckConfig) => {
            let (path, config) = config::discover_and_load(cli.config.as_deref())?;
            print!("{}", config::describe(&config, &path));
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Status { json }) => {
            let (_, config) = config::discover_and_load(cli.config.as_deref())?;
            let github = authed_client(&config, clock.clone())?;
            let report = status::collect(github, &tui::sources(&config), clock.now()).await;
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
            let theme = pick_theme(&cli.theme, &config)?;
            let github = authed_client(&config, clock.clone())?;
            let model = tui::initial_model(&config, cli.read_only, clock.now());
            tui::run(model, theme, Backends { github, clock }).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn pick_theme(flag: &Option<String>, config: &Config) -> Result<theme::Theme> {
    let name = flag.as_deref().unwrap_or(&config.ui.theme);
    theme::resolve(name, theme::no_color_requested()).map_err(|e| UsageError(e.to_string()).into())
}

fn authed_client(config: &Config, clock: SharedClock) -> Result<Arc<HttpGitHub>> {
    let env = |k: &str| std::env::var(k).ok();
    let tok = token::discover(
        config.github.token_command.as_deref(),
        &config.github.host(),
        &env,
    )?;
    tracing::info!(source = %tok.source, "using GitHub token");
    client(config, Some(tok.value), tok.source, clock)
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
