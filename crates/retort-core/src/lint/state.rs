//! What the statements before the current one established: transaction, timeouts, tables made.

use std::collections::BTreeSet;

use super::ast::{Action, Stmt};

/// The state a statement runs in, as far as the statements before it in the section tell.
#[derive(Debug, Clone, Default)]
pub struct State {
    /// The revision runs in a transaction of retort's (`transactional: true`).
    pub transactional_revision: bool,
    /// Open `BEGIN`s written in the section.
    pub explicit_begins: u32,
    /// Where each open `BEGIN` starts (offset in the section).
    pub open_begins: Vec<usize>,
    /// Where the current statement starts (offset in the section; set by the engine).
    pub current: usize,
    /// `lock_timeout` is set (in the section, or by retort.toml for the migrating session).
    pub lock_timeout: bool,
    pub statement_timeout: bool,
    /// Tables (`schema.name` keys) created earlier in this revision.
    pub created: BTreeSet<String>,
    /// Tables given a NOT VALID constraint earlier in this revision.
    pub not_valid_added: BTreeSet<String>,
    /// Sequences made in this revision without an owner column: key → where the statement starts.
    pub free_sequences: Vec<(String, usize)>,
    /// Sequences given an owner column in this revision.
    pub owned_sequences: BTreeSet<String>,
}

impl State {
    /// Inside a transaction: retort's, or one the section opened.
    pub fn in_transaction(&self) -> bool {
        self.transactional_revision || self.explicit_begins > 0
    }

    /// The table was made earlier in this revision.
    pub fn is_new(&self, key: &str) -> bool {
        self.created.contains(key)
    }

    /// Take the statement's effect into account.
    pub fn apply(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Begin => {
                self.explicit_begins += 1;
                self.open_begins.push(self.current);
            }
            Stmt::Commit | Stmt::Rollback => {
                self.explicit_begins = self.explicit_begins.saturating_sub(1);
                self.open_begins.pop();
            }
            Stmt::Set { name, value, .. } => self.set(name, value != "0"),
            Stmt::Reset { name } if name == "all" => {
                self.lock_timeout = false;
                self.statement_timeout = false;
            }
            Stmt::Reset { name } => self.set(name, false),
            Stmt::CreateTable { name, .. } => {
                self.created.insert(name.key());
            }
            Stmt::CreateSequence { name, owned } => {
                if *owned {
                    self.owned_sequences.insert(name.key());
                } else {
                    self.free_sequences.push((name.key(), self.current));
                }
            }
            Stmt::SequenceOwned { name } => {
                self.owned_sequences.insert(name.key());
            }
            Stmt::AlterTable { name, actions, .. } if !self.is_new(&name.key()) => {
                let not_valid = actions
                    .iter()
                    .any(|a| matches!(a, Action::AddConstraint(k) if k.not_valid));
                if not_valid {
                    self.not_valid_added.insert(name.key());
                }
            }
            Stmt::AlterTable { name, actions, .. } => {
                for a in actions {
                    if let Action::RenameTable { to, .. } = a {
                        let mut renamed = name.clone();
                        renamed.name.clone_from(to);
                        self.created.insert(renamed.key());
                    }
                }
            }
            _ => {}
        }
    }

    fn set(&mut self, name: &str, on: bool) {
        match name {
            "lock_timeout" => self.lock_timeout = on,
            "statement_timeout" => self.statement_timeout = on,
            _ => {}
        }
    }
}
