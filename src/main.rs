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
use cockpit::github::proxy::ProxyConfig;
use cockpit::health::HttpProber;
use cockpit::init::{self, InitError};
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
    /// Colour theme: default, light, high-contrast, colorblind, or your own
    /// <config dir>/themes/NAME.toml (overrides [ui] theme).
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
    /// Write a commented starter config from .github/workflows/ of the current git repository.
    ///
    /// Writes where cockpit reads its config (--config, else $COCKPIT_CONFIG, else
    /// <config dir>/cockpit.toml); never over an existing file without --force.
    Init(InitArgs),
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

#[derive(Debug, clap::Args)]
struct InitArgs {
    /// Replace an existing config file.
    #[arg(long)]
    force: bool,
    /// Print the starter config to stdout; write nothing.
    #[arg(long)]
    print: bool,
    /// The repository checkout to read (any directory inside it).
    #[arg(long, value_name = "PATH", default_value = ".")]
    dir: PathBuf,
    /// The GitHub repository, instead of reading it from the `origin` remote.
    #[arg(long, value_name = "OWNER/NAME")]
    repo: Option<String>,
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
                || e.downcast_ref::<InitError>()
                    .is_some_and(InitError::is_usage)
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
            // The simulator is on this machine: never through a proxy.
            let github = client(
                &config,
                None,
                "demo (no token)".into(),
                ProxyConfig::none(),
                clock.clone(),
            )?;
            run_tui(
                (&cli.theme, cli.read_only),
                (&config, None),
                github,
                &[],
                clock,
            )
            .await?;
            story.abort();
            sim.shutdown();
            Ok(ExitCode::SUCCESS)
        }
        // Printed by `main` before anything starts.
        Some(Command::Completions { .. } | Command::Man { .. }) => Ok(ExitCode::SUCCESS),
        Some(Command::CheckConfig) => {
            let (path, config) = config::discover_and_load(cli.config.as_deref())?;
            // A theme that would stop the TUI from starting fails the check too.
            pick_theme(
                &cli.theme,
                &config,
                Some(&path),
                &theme::Catalog::from_config_dir(),
            )?;
            let proxy = proxy_from_env()?;
            print!("{}", config::describe(&config, &path));
            println!("\nproxy");
            println!("  api: {}", proxy.describe_for(&config.github.api_url));
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Init(args)) => init_config(&args, cli.config.as_deref()),
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
            let (path, config) = config::discover_and_load(cli.config.as_deref())?;
            let (github, token) = authed_client(&config, clock.clone())?;
            run_tui(
                (&cli.theme, cli.read_only),
                (&config, Some(&path)),
                github,
                &[token],
                clock,
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `cockpit init`: read the checkout, then print the starter config or write it where the
/// config is looked for. Progress goes to stderr so `--print > file` holds only the config.
fn init_config(args: &InitArgs, explicit_config: Option<&std::path::Path>) -> Result<ExitCode> {
    let starter = init::checkout::read(&args.dir, args.repo.as_deref())?;
    for (file, why) in starter.unreadable() {
        eprintln!("cockpit: .github/workflows/{file} left out: {why}");
    }
    if args.print {
        let text = init::render_checked(&starter, std::path::Path::new("<stdout>"))?;
        print!("{text}");
        eprintln!("cockpit: {}", starter.summary());
        return Ok(ExitCode::SUCCESS);
    }
    let (path, origin) = config::resolve(explicit_config).ok_or(InitError::NoConfigPath)?;
    let text = init::render_checked(&starter, &path)?;
    let written = init::write::write_config(&path, &text, args.force)?;
    let verb = match written {
        init::write::Written::Created => "wrote",
        init::write::Written::Replaced => "replaced",
    };
    println!("{verb} {}: {}", path.display(), starter.summary());
    let check = match origin {
        config::ConfigOrigin::Flag => {
            let shown = path.to_string_lossy();
            // Quoted so the suggestion can be pasted even when the path has spaces.
            let quoted = shlex::try_quote(&shown).unwrap_or(shown.clone());
            format!("cockpit check-config --config {quoted}")
        }
        config::ConfigOrigin::Env | config::ConfigOrigin::Default => "cockpit check-config".into(),
    };
    println!("next: review the lines marked TODO, then run `{check}`");
    Ok(ExitCode::SUCCESS)
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

/// The theme to start with: `--theme`, else `[ui] theme`. One that is missing or does not
/// load is bad usage (exit 2), named with where it was asked for.
fn pick_theme(
    flag: &Option<String>,
    config: &Config,
    config_path: Option<&std::path::Path>,
    themes: &theme::Catalog,
) -> Result<theme::Theme> {
    let (name, asked) = match flag {
        Some(name) => (name.as_str(), "--theme".to_string()),
        None => {
            let at = config_path.and_then(|path| {
                let text = std::fs::read_to_string(path).ok()?;
                let (line, column) = config::value_location(&text, &["ui", "theme"])?;
                Some(format!("{}:{line}:{column}: ", path.display()))
            });
            (
                config.ui.theme.as_str(),
                format!("{}[ui] theme", at.unwrap_or_default()),
            )
        }
    };
    theme::resolve(themes, name, theme::no_color_requested())
        .map_err(|e| UsageError(format!("{asked}: {e}")).into())
}

/// The TUI with every backend; `secrets` are kept out of the audit log.
async fn run_tui(
    (theme_flag, read_only): (&Option<String>, bool),
    (config, config_path): (&Config, Option<&std::path::Path>),
    github: Arc<HttpGitHub>,
    secrets: &[String],
    clock: SharedClock,
) -> Result<()> {
    let themes = theme::Catalog::from_config_dir();
    let theme = pick_theme(theme_flag, config, config_path, &themes)?;
    let mut model = tui::initial_model(config, read_only, clock.now());
    model.themes = themes.names();
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
        runners: Default::default(),
        themes,
    };
    tui::run(model, theme, backends).await
}

/// The client, and the token to keep out of the audit log.
fn authed_client(config: &Config, clock: SharedClock) -> Result<(Arc<HttpGitHub>, String)> {
    let proxy = proxy_from_env()?;
    let env = |k: &str| std::env::var(k).ok();
    let tok = token::discover(
        config.github.token_command.as_deref(),
        &config.github.host(),
        &env,
    )?;
    tracing::info!(source = %tok.source, "using GitHub token");
    let secret = tok.value.clone();
    Ok((
        client(config, Some(tok.value), tok.source, proxy, clock)?,
        secret,
    ))
}

/// `HTTPS_PROXY` and friends; a value that is not a proxy URL is the user's to fix (exit 2).
fn proxy_from_env() -> Result<ProxyConfig> {
    ProxyConfig::from_env().map_err(|e| UsageError(e.to_string()).into())
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
    proxy: ProxyConfig,
    clock: SharedClock,
) -> Result<Arc<HttpGitHub>> {
    Ok(Arc::new(HttpGitHub::new(ClientOptions {
        api_url: config.github.api_url.clone(),
        token,
        token_source,
        timeout: Duration::from_secs(10),
        clock,
        proxy,
    })?))
}
