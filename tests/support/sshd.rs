//! A throw-away OpenSSH `sshd` on a loopback port, with fresh host and user keys, for the
//! rollback tests and `benches/rollback.rs`. Missing tools fail loudly (never skip): in CI
//! that would hide the very tests that guard rollbacks.

#![allow(dead_code)]

use std::collections::HashMap;
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cockpit::config::{RollbackConfig, Transport};

pub const SSHD: &str = "/usr/sbin/sshd";

pub struct Sshd {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub user: String,
    pub user_key: PathBuf,
    /// A known_hosts file holding this server's real host key.
    pub known_hosts: PathBuf,
    child: Option<Child>,
}

fn require_tools() {
    let missing: Vec<&str> = [SSHD, "ssh-keygen", "ssh"]
        .into_iter()
        .filter(|tool| {
            if tool.starts_with('/') {
                !Path::new(tool).exists()
            } else {
                Command::new("sh")
                    .arg("-c")
                    .arg(format!("command -v {tool}"))
                    .stdout(Stdio::null())
                    .status()
                    .map(|s| !s.success())
                    .unwrap_or(true)
            }
        })
        .collect();
    if missing.is_empty() {
        return;
    }
    let hint = "install them with `apt-get install -y openssh-server openssh-client` \
                (scripts/test.sh does this)";
    if std::env::var_os("CI").is_some() {
        panic!("CI is set but the rollback tests' tools are missing: {missing:?}; {hint}");
    }
    panic!("the rollback tests need {missing:?}: {hint}");
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("run a setup command");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Generates an ed25519 key pair at `path` (and `path.pub`); returns the public line.
pub fn keygen(path: &Path) -> String {
    run(Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "cockpit-test", "-f"])
        .arg(path));
    fs::read_to_string(path.with_extension("pub")).expect("read the public key")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("find a free port")
        .port()
}

impl Sshd {
    pub fn start() -> Sshd {
        require_tools();
        // Privilege separation wants this directory; packages create it at boot only.
        let _ = fs::create_dir_all("/run/sshd");
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let host_key = d.join("host_ed25519");
        let host_pub = keygen(&host_key);
        let user_key = d.join("user_ed25519");
        let user_pub = keygen(&user_key);
        fs::write(d.join("authorized_keys"), &user_pub).expect("write authorized_keys");
        let port = free_port();
        let known_hosts = d.join("known_hosts");
        fs::write(&known_hosts, known_hosts_line(port, &host_pub)).expect("write known_hosts");
        let user = String::from_utf8(
            Command::new("id")
                .arg("-un")
                .output()
                .expect("id -un")
                .stdout,
        )
        .expect("utf-8 user name")
        .trim()
        .to_string();
        let cfg = d.join("sshd_config");
        fs::write(
            &cfg,
            format!(
                "ListenAddress 127.0.0.1\nPort {port}\nHostKey {hk}\nAuthorizedKeysFile {ak}\n\
                 PubkeyAuthentication yes\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nStrictModes no\nUsePAM no\n\
                 PermitRootLogin prohibit-password\nPidFile {pid}\nLogLevel ERROR\n",
                hk = host_key.display(),
                ak = d.join("authorized_keys").display(),
                pid = d.join("sshd.pid").display(),
            ),
        )
        .expect("write sshd_config");
        let log = fs::File::create(d.join("sshd.log")).expect("create sshd.log");
        let child = Command::new(SSHD)
            .arg("-D")
            .arg("-e")
            .arg("-f")
            .arg(&cfg)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start sshd");
        let mut sshd = Sshd {
            dir,
            port,
            user,
            user_key,
            known_hosts,
            child: Some(child),
        };
        sshd.wait_ready();
        sshd
    }

    /// Polls until the port accepts (readiness, not a timing assertion).
    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                panic!(
                    "sshd exited with {status}: {}",
                    fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
                );
            }
            assert!(
                Instant::now() < deadline,
                "sshd did not listen on 127.0.0.1:{}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A rollback config for this server, with the given known_hosts file.
    pub fn config(&self, known_hosts: &Path) -> RollbackConfig {
        RollbackConfig {
            transport: Transport::Ssh,
            ssh: Some(format!("{}@127.0.0.1", self.user)),
            port: Some(self.port),
            identity_file: Some(self.user_key.clone()),
            known_hosts: Some(known_hosts.to_path_buf()),
            command: Vec::new(),
            timeout: Duration::from_secs(60),
        }
    }

    /// Kills the listener and every process under it (the per-connection sshd processes call
    /// `setsid`, so a process-group kill would miss them): the connection drops mid-run.
    pub fn kill(&self) {
        let Some(child) = self.child.as_ref() else {
            return;
        };
        let mut pids = descendants(child.id());
        pids.push(child.id());
        for pid in pids {
            let _ = Command::new("kill")
                .arg("-9")
                .arg(pid.to_string())
                .stderr(Stdio::null())
                .status();
        }
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.kill();
        if let Some(mut child) = self.child.take() {
            let _ = child.wait();
        }
    }
}

pub fn known_hosts_line(port: u16, host_pub: &str) -> String {
    // `ssh-ed25519 AAAA... comment` → `[127.0.0.1]:port ssh-ed25519 AAAA...`
    let mut parts = host_pub.split_whitespace();
    let (kind, key) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    format!("[127.0.0.1]:{port} {kind} {key}\n")
}

/// All processes below `root`, from `/proc/*/stat` parent links.
fn descendants(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for entry in fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // comm may hold spaces and parens: the fields after the last ')' are fixed.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            children.entry(ppid).or_default().push(pid);
        }
    }
    let mut out = Vec::new();
    let mut todo = vec![root];
    while let Some(pid) = todo.pop() {
        for &c in children.get(&pid).into_iter().flatten() {
            out.push(c);
            todo.push(c);
        }
    }
    out
}
