//! `retort.conf`: the settings rewritten at every start (port, socket, tuning).

use super::*;

impl LocalCluster {
    /// The settings written to `retort.conf`, in order (later ones win).
    pub(super) fn settings(&self) -> Vec<(String, String)> {
        let mut settings = vec![
            ("listen_addresses".to_string(), String::new()),
            ("port".to_string(), self.port.to_string()),
            (
                "unix_socket_directories".to_string(),
                self.dir.to_string_lossy().into_owned(),
            ),
        ];
        let tuning: &[(&str, &str)] = if self.fsync {
            &[("max_connections", "100")]
        } else {
            &[
                ("fsync", "off"),
                ("synchronous_commit", "off"),
                ("full_page_writes", "off"),
                ("max_connections", "200"),
                ("shared_buffers", "64MB"),
            ]
        };
        settings.extend(tuning.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        settings.extend(self.extra.iter().cloned());
        settings
    }

    pub(super) fn settings_file_text(&self) -> Result<String, DevDbError> {
        let mut text = String::from("# Written by retort at every start; edits are overwritten.\n");
        for (key, value) in self.settings() {
            let valid = !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
            if !valid {
                return Err(DevDbError::BadSetting(key));
            }
            text.push_str(&format!("{key} = '{}'\n", value.replace('\'', "''")));
        }
        Ok(text)
    }

    pub(super) fn write_settings(&self) -> Result<(), DevDbError> {
        let path = self.data_dir().join(SETTINGS_FILE);
        fs::write(&path, self.settings_file_text()?).map_err(io_err("write", &path))?;
        self.give_to_owner(&path)
    }
}
