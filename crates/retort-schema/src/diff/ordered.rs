//! What is made and dropped in dependency order, as a whole schema is rendered: types,
//! functions, views and catalog objects.

use super::function::function_kind;
use super::{Differ, Phase};
use crate::render::{creation_order, objects, Node};

impl Differ<'_> {
    /// Types, functions and views that are new, gone, replaced or changed, in dependency order
    /// (that of `from`, reversed, for drops; that of `to` for creations).
    /// Types, functions, views and catalog objects, dropped in reverse creation order and made
    /// in creation order.
    pub(super) fn functions_and_views(&mut self) {
        self.drop_in_order();
        self.create_in_order();
    }

    /// What goes, dependents first.
    fn drop_in_order(&mut self) {
        let (early_from, late_from) = creation_order(self.from);
        let from_nodes: Vec<(bool, Node)> = early_from
            .into_iter()
            .map(|n| (false, n))
            .chain(late_from.into_iter().map(|n| (true, n)))
            .collect();
        let after_types = self.functions_dropped_after_types();
        for (late, node) in from_nodes.iter().rev() {
            if !self.dropped(node) {
                continue;
            }
            let name = node.name();
            if let Node::Object(_) = node {
                self.drop_object(name, *late);
                continue;
            }
            if matches!(node, Node::Function(_)) && self.dropped_with_its_type(name) {
                continue;
            }
            let (phase, summary, sql) = match node {
                Node::Object(_) => continue,
                Node::Enum(_) => (
                    Phase::DropType,
                    format!("drop type {name}"),
                    objects::drop_type(name, false),
                ),
                Node::Composite(_) => (
                    if *late {
                        Phase::DropView
                    } else {
                        Phase::DropType
                    },
                    format!("drop type {name}"),
                    objects::drop_type(name, false),
                ),
                Node::Domain(_) => (
                    // Over a table's row type: before the table.
                    if *late {
                        Phase::DropView
                    } else {
                        Phase::DropType
                    },
                    format!("drop domain {name}"),
                    objects::drop_type(name, true),
                ),
                Node::Function(_) => {
                    let Some(f) = self.from.functions.get(name) else {
                        continue;
                    };
                    (
                        if *late {
                            Phase::DropView
                        } else if after_types.contains(name) {
                            Phase::DropType
                        } else {
                            Phase::DropFunction
                        },
                        format!("drop {} {name}", function_kind(f).to_lowercase()),
                        objects::drop_function(&name.schema, f),
                    )
                }
                Node::View(_) | Node::ViewPlaceholder(_) => {
                    let Some(v) = self.from.views.get(name) else {
                        continue;
                    };
                    (
                        Phase::DropView,
                        format!("drop view {name}"),
                        objects::drop_view(name, v),
                    )
                }
                Node::ViewReplace(_) => {
                    let Some(v) = self.from.views.get(name) else {
                        continue;
                    };
                    (
                        Phase::DropView,
                        format!("empty view {name}, which is in a cycle, before its drop"),
                        objects::view_placeholder(name, v, true),
                    )
                }
            };
            self.ops.push(phase, summary, sql);
        }
    }

    /// What is made or changed, in creation order.
    fn create_in_order(&mut self) {
        let (early_to, late_to) = creation_order(self.to);
        let to_nodes: Vec<(bool, Node)> = early_to
            .into_iter()
            .map(|n| (false, n))
            .chain(late_to.into_iter().map(|n| (true, n)))
            .collect();
        for (late, node) in &to_nodes {
            let phase = if *late {
                Phase::CreateView
            } else {
                Phase::CreateType
            };
            let name = node.name().clone();
            let created = self.created(node);
            match node {
                Node::Object(_) => self.create_or_alter_object(&name, *late, created),
                Node::Enum(_) | Node::Domain(_) | Node::Composite(_) => {
                    if created {
                        self.ops.push(
                            phase,
                            format!("create type {name}"),
                            objects::create_node(self.to, node),
                        );
                    }
                    self.type_grant_changes(&name, created);
                }
                Node::Function(_) => {
                    let Some(f) = self.to.functions.get(&name) else {
                        continue;
                    };
                    let old = self.from.functions.get(&name);
                    if created {
                        self.unchecked_body(f);
                        self.ops.push(
                            phase,
                            format!("create {} {name}", function_kind(f).to_lowercase()),
                            objects::create_function(&name.schema, f),
                        );
                        self.ops.push(
                            Phase::Grant,
                            format!("grant on {name}"),
                            objects::function_grants(&name.schema, f),
                        );
                    } else if let Some(old) = old {
                        self.alter_function(phase, &name, old, f);
                    }
                }
                Node::View(_) => {
                    let Some(v) = self.to.views.get(&name) else {
                        continue;
                    };
                    let old = self.from.views.get(&name);
                    if created {
                        self.create_view(&name, v);
                    } else if let Some(old) = old {
                        self.alter_view(&name, old, v);
                    }
                }
                Node::ViewPlaceholder(_) => {
                    if let Some(v) = self.to.views.get(&name).filter(|_| created) {
                        self.ops.push(
                            Phase::CreateView,
                            format!("create view {name} as a placeholder (it is in a cycle)"),
                            objects::view_placeholder(&name, v, false),
                        );
                    }
                }
                Node::ViewReplace(_) => {
                    let Some(v) = self.to.views.get(&name) else {
                        continue;
                    };
                    match self.from.views.get(&name).filter(|_| !created) {
                        Some(old) => self.alter_view(&name, old, v),
                        None => {
                            self.ops.push(
                                Phase::CreateView,
                                format!("define view {name}"),
                                objects::create_node(self.to, node),
                            );
                            self.view_extras(&name, v);
                        }
                    }
                }
            }
        }
    }

    /// Whether `node` (of `from`) goes away: gone from `to`, or replaced.
    pub(super) fn dropped(&self, node: &Node) -> bool {
        let name = node.name();
        match node {
            Node::Enum(_) => !self.to.enums.contains_key(name),
            Node::Domain(_) => {
                !self.to.domains.contains_key(name) || self.cascade.types.contains(name)
            }
            Node::Composite(_) => {
                !self.to.composites.contains_key(name) || self.cascade.types.contains(name)
            }
            Node::Function(_) => {
                !self.to.functions.contains_key(name) || self.cascade.functions.contains(name)
            }
            Node::View(_) | Node::ViewPlaceholder(_) | Node::ViewReplace(_) => {
                !self.to.views.contains_key(name) || self.cascade.views.contains(name)
            }
            Node::Object(_) => self.object_dropped(name),
        }
    }

    /// Whether `node` (of `to`) is made: new, or replaced.
    pub(super) fn created(&self, node: &Node) -> bool {
        let name = node.name();
        match node {
            Node::Enum(_) => !self.from.enums.contains_key(name),
            Node::Domain(_) => {
                !self.from.domains.contains_key(name) || self.cascade.types.contains(name)
            }
            Node::Composite(_) => {
                !self.from.composites.contains_key(name) || self.cascade.types.contains(name)
            }
            Node::Function(_) => {
                !self.from.functions.contains_key(name) || self.cascade.functions.contains(name)
            }
            Node::View(_) | Node::ViewPlaceholder(_) | Node::ViewReplace(_) => {
                !self.from.views.contains_key(name) || self.cascade.views.contains(name)
            }
            Node::Object(_) => self.object_created(name),
        }
    }
}
