//! The cluster's directory and who owns it: retort's marker, the unprivileged user the server
//! programs run as when retort runs as root, and running them logged.

use super::*;

/// The unprivileged user the server programs run as when retort runs as root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RunAs {
    pub(super) user: String,
    pub(super) uid: u32,
    pub(super) gid: u32,
}

impl LocalCluster {
    /// Whether the directory is retort's: it has the marker, or is empty.
    pub(super) fn is_ours(&self) -> Result<bool, DevDbError> {
        if self.dir.join(MARKER).exists() {
            return Ok(true);
        }
        let mut entries = fs::read_dir(&self.dir).map_err(io_err("read", &self.dir))?;
        Ok(entries.next().is_none())
    }

    /// Creates the directory (mode 0700) with its marker; when root, gives it to the user the
    /// server runs as and checks that this user can reach it.
    pub(super) fn prepare_dir(&self) -> Result<(), DevDbError> {
        fs::create_dir_all(&self.dir).map_err(io_err("create", &self.dir))?;
        if !self.is_ours()? {
            return Err(DevDbError::NotOurs(self.dir.clone()));
        }
        fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700))
            .map_err(io_err("set permissions of", &self.dir))?;
        let marker = self.dir.join(MARKER);
        fs::write(
            &marker,
            "A PostgreSQL cluster made by retort (see retort::devdb); `retort dev reset` may delete this directory.\n",
        )
        .map_err(io_err("write", &marker))?;
        self.give_to_owner(&self.dir)?;
        self.give_to_owner(&marker)?;
        if let Some(run_as) = &self.run_as {
            self.check_reachable(run_as)?;
        }
        Ok(())
    }

    pub(super) fn check_reachable(&self, run_as: &RunAs) -> Result<(), DevDbError> {
        let can = |test: &str, path: &Path| {
            self.owner_command(Path::new("test"), &[test.as_ref(), path.as_os_str()])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .map_err(|source| DevDbError::Spawn {
                    program: "runuser".to_string(),
                    source,
                })
        };
        if can("-w", &self.dir)? {
            return Ok(());
        }
        // Name the first directory on the way that the user cannot traverse.
        let mut blocked = self.dir.clone();
        for ancestor in self.dir.ancestors().collect::<Vec<_>>().into_iter().rev() {
            if !can("-x", ancestor)? {
                blocked = ancestor.to_path_buf();
                break;
            }
        }
        Err(DevDbError::NotReachable {
            user: run_as.user.clone(),
            path: blocked,
        })
    }

    /// When root: chown `path` to the user the server runs as.
    pub(super) fn give_to_owner(&self, path: &Path) -> Result<(), DevDbError> {
        match &self.run_as {
            Some(r) => std::os::unix::fs::chown(path, Some(r.uid), Some(r.gid))
                .map_err(io_err("change the owner of", path)),
            None => Ok(()),
        }
    }

    pub(super) fn open_commands_log(&self) -> Result<File, DevDbError> {
        let path = self.commands_log();
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io_err("open", &path))?;
        self.give_to_owner(&path)?;
        Ok(file)
    }

    /// Runs a PostgreSQL program as the cluster's user, its output appended to `commands.log`.
    pub(super) fn run_logged(
        &self,
        program: &str,
        args: &[&OsStr],
    ) -> Result<ExitStatus, DevDbError> {
        let mut log = self.open_commands_log()?;
        let shown: Vec<_> = args.iter().map(|a| a.to_string_lossy()).collect();
        let _ = writeln!(log, "$ {program} {}", shown.join(" "));
        let out = log
            .try_clone()
            .map_err(io_err("open", &self.commands_log()))?;
        let path = self.bin_dir.join(program);
        self.owner_command(&path, args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(log)
            .status()
            .map_err(|source| DevDbError::Spawn {
                program: path.display().to_string(),
                source,
            })
    }

    /// `program args` as the cluster's user: directly, or (when root) through `runuser -u USER --`,
    /// else `su -s /bin/sh -c 'exec …' USER`. Runs in `/`, which every user can enter.
    pub(super) fn owner_command(&self, program: &Path, args: &[&OsStr]) -> Command {
        let mut command = match &self.run_as {
            None => {
                let mut c = Command::new(program);
                c.args(args);
                c
            }
            Some(run_as) => match find_program("runuser") {
                Some(runuser) => {
                    let mut c = Command::new(runuser);
                    c.args(["-u", &run_as.user, "--"]).arg(program).args(args);
                    c
                }
                None => {
                    let mut line = b"exec ".to_vec();
                    line.extend(shell_quote(program.as_os_str()));
                    for arg in args {
                        line.push(b' ');
                        line.extend(shell_quote(arg));
                    }
                    let mut c = Command::new("su");
                    c.args(["-s", "/bin/sh", "-c"])
                        .arg(OsString::from_vec(line))
                        .arg(&run_as.user);
                    c
                }
            },
        };
        command.current_dir("/");
        command
    }
}

/// Whether the effective user is root.
pub(super) fn running_as_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// `id ARGS` as a number.
pub(super) fn id(args: &[&str]) -> Option<u32> {
    let output = Command::new("id")
        .args(args)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8(output.stdout).ok()?.trim().parse().ok()
}

/// The user PostgreSQL runs as when we are root: `postgres`, else `nobody`.
pub(super) fn unprivileged_user() -> Result<RunAs, DevDbError> {
    ["postgres", "nobody"]
        .iter()
        .find_map(|user| {
            Some(RunAs {
                user: user.to_string(),
                uid: id(&["-u", user]).filter(|&uid| uid != 0)?,
                gid: id(&["-g", user])?,
            })
        })
        .ok_or(DevDbError::NoUnprivilegedUser)
}

/// `'…'` with each `'` as `'\''`: one word for any POSIX shell.
pub(super) fn shell_quote(arg: &OsStr) -> Vec<u8> {
    let mut out = vec![b'\''];
    for &b in arg.as_bytes() {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    out
}
