//! A server tied to this process: [`AttachedServer`], stopped by a watchdog when the process
//! ends, however it ends (the test harness's).

use super::*;

impl LocalCluster {
    /// Starts the server as a child of a watchdog tied to this process, and waits until it
    /// accepts connections. The server is stopped (fast shutdown) when the returned handle is
    /// dropped or when this process ends in any way, SIGKILL included; then, with
    /// `remove_dir_after`, the whole cluster directory is deleted.
    ///
    /// How: the watchdog is `sh` (as the cluster's user) whose stdin is a pipe; only this process
    /// holds the write end (close-on-exec, so no other child inherits it), and the kernel closes
    /// it when this process exits. The watchdog starts `postgres` in the background, blocks
    /// reading its stdin, and on end-of-file sends the postmaster SIGINT, waits for it (SIGQUIT
    /// after 30 s) and removes the directory. It runs in its own process group, so a Ctrl-C
    /// meant for this process does not kill it before it has cleaned up.
    pub fn start_attached(&self, remove_dir_after: bool) -> Result<AttachedServer, DevDbError> {
        self.check_startable()?;
        if let ClusterStatus::Running { pid } = self.status() {
            return Err(DevDbError::AlreadyRunning {
                dir: self.dir.clone(),
                pid,
            });
        }
        self.write_settings()?;
        let postgres = self.bin_dir.join("postgres");
        let data = self.data_dir();
        let log = self.server_log();
        let remove: &OsStr = if remove_dir_after {
            self.dir.as_os_str()
        } else {
            "".as_ref()
        };
        let mut command = self.owner_command(
            Path::new("/bin/sh"),
            &[
                "-c".as_ref(),
                WATCHDOG_SCRIPT.as_ref(),
                "retort-pg-watchdog".as_ref(),
                log.as_os_str(),
                remove,
                postgres.as_os_str(),
                "-D".as_ref(),
                data.as_os_str(),
            ],
        );
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(self.open_commands_log()?)
            .process_group(0);
        let mut watchdog = command.spawn().map_err(|source| DevDbError::Spawn {
            program: "/bin/sh (the server's watchdog)".to_string(),
            source,
        })?;
        let lifeline = watchdog.stdin.take();
        let mut first_line = String::new();
        if let Some(stdout) = watchdog.stdout.take() {
            // The watchdog prints the postmaster's pid, then nothing more.
            let _ = BufReader::new(stdout).read_line(&mut first_line);
        }
        let mut server = AttachedServer {
            pid: 0,
            watchdog,
            lifeline,
        };
        let Ok(pid) = first_line.trim().parse::<u32>() else {
            let err = DevDbError::StartFailed {
                dir: self.dir.clone(),
                reason: "its watchdog did not start it".to_string(),
                log: LogTail::read(&self.commands_log()),
            };
            drop(server);
            return Err(err);
        };
        server.pid = pid;
        match self.wait_ready(pid) {
            Ok(()) => Ok(server),
            Err(err) => {
                drop(server); // stops what is left of the server
                Err(err)
            }
        }
    }
}

/// The watchdog of [`LocalCluster::start_attached`]. Arguments: log file, directory to remove
/// afterwards (or empty), the postmaster's command line.
const WATCHDOG_SCRIPT: &str = r#"
trap '' HUP INT QUIT
log=$1 remove=$2
shift 2
"$@" </dev/null >>"$log" 2>&1 &
pid=$!
echo "$pid"
exec >/dev/null
# Blocks until every writer of our stdin is gone: the process that started us holds the only one.
while read -r _; do :; done
kill -INT "$pid" 2>/dev/null
# A fast shutdown that takes over 30 s becomes an immediate one.
( trap 'kill "$s" 2>/dev/null; exit' TERM; sleep 30 & s=$!; wait "$s"; kill -QUIT "$pid" 2>/dev/null ) &
wait "$pid"
kill "$!" 2>/dev/null
if [ -n "$remove" ]; then rm -rf -- "$remove"; fi
"#;

/// A server started by [`LocalCluster::start_attached`]. It runs until this handle is dropped
/// or [`stop`](AttachedServer::stop)ped, or until the process holding it exits, however it exits.
#[derive(Debug)]
pub struct AttachedServer {
    pid: u32,
    watchdog: Child,
    lifeline: Option<ChildStdin>,
}

impl AttachedServer {
    /// The postmaster's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Stops the server and waits until it is gone (and its directory removed, if asked).
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        if self.lifeline.take().is_some() {
            let _ = self.watchdog.wait();
        }
    }
}

impl Drop for AttachedServer {
    fn drop(&mut self) {
        self.shut_down();
    }
}
