//! Putting the starter config where cockpit will read it, never over an existing file
//! unless asked.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::InitError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Created,
    Replaced,
}

/// Writes `text` to `path`, creating its directories. Without `force` an existing file is
/// left alone ([`InitError::Exists`]): the check and the creation are one step
/// (`create_new`), so nothing written in between is lost. With `force` the new text goes to
/// a temporary file beside it and is renamed over it, so a failed write never leaves half a
/// config; a symlinked config is replaced at the link's target.
pub fn write_config(path: &Path, text: &str, force: bool) -> Result<Written, InitError> {
    let fail = |path: &Path| {
        let path = path.to_owned();
        move |source| InitError::Write { path, source }
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(fail(dir))?;
    }
    if !force {
        let mut file = match OpenOptions::new().write(true).create_new(true).open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(InitError::Exists {
                    path: path.to_owned(),
                });
            }
            Err(source) => return Err(fail(path)(source)),
        };
        if let Err(source) = file
            .write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
        {
            // Ours, and incomplete: better no file than half a config.
            let _ = fs::remove_file(path);
            return Err(fail(path)(source));
        }
        return Ok(Written::Created);
    }
    let target = if path.exists() {
        fs::canonicalize(path).map_err(fail(path))?
    } else {
        path.to_owned()
    };
    let existed = target.exists();
    let tmp = temp_beside(&target);
    let written = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        fs::rename(&tmp, &target)
    })();
    if let Err(source) = written {
        let _ = fs::remove_file(&tmp);
        return Err(fail(&target)(source));
    }
    Ok(if existed {
        Written::Replaced
    } else {
        Written::Created
    })
}

fn temp_beside(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "cockpit.toml".into());
    target.with_file_name(format!(".{name}.init-{}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_directories_and_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/cockpit.toml");
        assert_eq!(
            write_config(&path, "x = 1\n", false).unwrap(),
            Written::Created
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "x = 1\n");
    }

    #[test]
    fn refuses_to_overwrite_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cockpit.toml");
        fs::write(&path, "mine\n").unwrap();
        let err = write_config(&path, "new\n", false).unwrap_err();
        assert!(matches!(err, InitError::Exists { .. }), "{err:?}");
        assert!(err.to_string().contains(&path.display().to_string()));
        assert_eq!(fs::read_to_string(&path).unwrap(), "mine\n");
    }

    #[test]
    fn force_replaces_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cockpit.toml");
        fs::write(&path, "mine\n").unwrap();
        assert_eq!(
            write_config(&path, "new\n", true).unwrap(),
            Written::Replaced
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["cockpit.toml"]);
    }

    #[cfg(unix)]
    #[test]
    fn force_writes_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("dotfiles.toml");
        fs::write(&real, "mine\n").unwrap();
        let link = dir.path().join("cockpit.toml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_config(&link, "new\n", true).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new\n");
    }
}
