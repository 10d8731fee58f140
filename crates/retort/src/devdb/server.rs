//! The running server: whether it can start, its pid file, waiting until it accepts.

use super::*;

impl LocalCluster {
    pub(super) fn check_startable(&self) -> Result<(), DevDbError> {
        if !self.is_initialized() {
            return Err(DevDbError::NotInitialized(self.dir.clone()));
        }
        let socket = self.dir.join(format!(".s.PGSQL.{}", self.port));
        let len = socket.as_os_str().len();
        if len > SOCKET_PATH_MAX {
            return Err(DevDbError::SocketPathTooLong {
                path: socket,
                len,
                max: SOCKET_PATH_MAX,
            });
        }
        Ok(())
    }

    /// Line `index` (0-based) of `postmaster.pid`: pid, data dir, start time, port, socket dir,
    /// listen address, shared memory key, status.
    pub(super) fn postmaster_pid_line(&self, index: usize) -> Option<String> {
        let text = fs::read_to_string(self.data_dir().join("postmaster.pid")).ok()?;
        text.lines().nth(index).map(|l| l.trim().to_string())
    }

    pub(super) fn running_port(&self) -> Option<u16> {
        self.postmaster_pid_line(3)?.parse().ok()
    }

    /// Waits until the postmaster `pid` reports "ready" in `postmaster.pid` (as `pg_ctl -w` does).
    pub(super) fn wait_ready(&self, pid: u32) -> Result<(), DevDbError> {
        let started = Instant::now();
        loop {
            let ours = self
                .postmaster_pid_line(0)
                .and_then(|l| l.parse::<u32>().ok())
                == Some(pid);
            if ours && self.postmaster_pid_line(7).as_deref() == Some("ready") {
                return Ok(());
            }
            if !process_alive(pid) {
                return Err(DevDbError::StartFailed {
                    dir: self.dir.clone(),
                    reason: "the server exited".to_string(),
                    log: LogTail::read(&self.server_log()),
                });
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(DevDbError::StartTimeout {
                    dir: self.dir.clone(),
                    secs: START_TIMEOUT.as_secs(),
                    log: LogTail::read(&self.server_log()),
                });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Whether process `pid` exists and is not a zombie.
pub(super) fn process_alive(pid: u32) -> bool {
    let proc_dir = Path::new("/proc");
    if proc_dir.join("self").exists() {
        return match fs::read_to_string(proc_dir.join(pid.to_string()).join("stat")) {
            // "pid (comm) S ...": the state follows the last ')'.
            Ok(stat) => stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.trim_start().chars().next())
                .is_some_and(|state| !matches!(state, 'Z' | 'X' | 'x')),
            Err(_) => false,
        };
    }
    Command::new("ps")
        .args(["-o", "stat=", "-p", &pid.to_string()])
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .is_some_and(|s| !s.trim().is_empty() && !s.trim().starts_with('Z'))
}
