//! # Blocks that depend on each other in a cycle
//!
//! ## What it does
//! Reports resources, data sources and locals of a module that reach themselves through
//! their references and `depends_on`: two security groups whose inline `ingress`
//! blocks name each other, a bucket policy that names a role whose policy names the
//! bucket policy, a local built from itself. The cycle is reported once, at the
//! reference that its first block (in file order) makes to the next, with each other
//! step as a related place (the first ten). A resource that names itself (not through
//! `self`) is a cycle of one. Module calls are followed in one case only: a module call
//! whose `depends_on` names another module call that takes one of its outputs (or
//! depends on it in turn). `depends_on` makes every part of the first module wait for
//! all of the second, whose inputs wait for the first's output: Terraform reports the
//! cycle whatever the modules hold. Otherwise Terraform follows module inputs and
//! outputs one by one, which this rule does not.
//!
//! ## Why is this bad?
//! Terraform orders its work by these references. A cycle has no first step, and
//! `terraform validate` stops before anything is planned (a resource that names itself,
//! at `terraform plan`).
//!
//! ## Error
//! ```text
//! Error: Cycle: aws_security_group.db, aws_security_group.app
//! ```
//! and `Self-referencing local value`, `Self-referential block`.
//!
//! ## Example
//! ```hcl
//! resource "aws_security_group" "app" {
//!   egress {
//!     from_port       = 5432
//!     to_port         = 5432
//!     protocol        = "tcp"
//!     security_groups = [aws_security_group.db.id]
//!   }
//! }
//!
//! resource "aws_security_group" "db" {
//!   ingress {
//!     from_port       = 5432
//!     to_port         = 5432
//!     protocol        = "tcp"
//!     security_groups = [aws_security_group.app.id]
//!   }
//! }
//! ```
//! Use instead rules as their own resources, which name both groups and are named by
//! neither:
//! ```hcl
//! resource "aws_vpc_security_group_ingress_rule" "db_from_app" {
//!   security_group_id            = aws_security_group.db.id
//!   referenced_security_group_id = aws_security_group.app.id
//!   from_port                    = 5432
//!   to_port                      = 5432
//!   ip_protocol                  = "tcp"
//! }
//! ```
//!
//! ## Fix safety
//! No fix: which reference to move out of the cycle is a design choice.
//!
//! ## Root cause
//! Two resources that each need to know the other were written as if the order did not
//! matter.
//!
//! ## Impact
//! Deployment blocker: nothing can be planned.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/internals/graph

use std::collections::HashMap;
use std::ops::Range;

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::expr::{RefCollector, Target};
use crate::model::{BlockKind, Model, Module, Owner};
use crate::workspace::FileId;

pub struct ReferenceCycle;

/// A step of the graph: from node to node, written at `(file, span)`.
#[derive(Clone)]
struct Edge {
    to: usize,
    file: FileId,
    span: Range<usize>,
}

/// The module's graph: nodes are its resources and data sources (by block index) and
/// then its locals (by index, after the blocks).
struct Graph {
    edges: Vec<Vec<Edge>>,
}

fn graph(module: &Module<'_>) -> Graph {
    let blocks = module.blocks.len();
    let mut edges: Vec<Vec<Edge>> = vec![Vec::new(); blocks + module.locals.len()];
    let node = |i: usize| {
        module
            .blocks
            .get(i)
            .is_some_and(|b| matches!(b.kind, BlockKind::Resource | BlockKind::Data))
    };
    let mut locals_by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (li, l) in module.locals.iter().enumerate() {
        locals_by_name.entry(l.name).or_default().push(blocks + li);
    }
    let targets = |t: &Target| -> Vec<usize> {
        match t {
            Target::Resource { .. } | Target::Data { .. } => module
                .index_of(&t.address())
                .filter(|&j| node(j))
                .into_iter()
                .collect(),
            Target::Local(name) => locals_by_name
                .get(name.as_str())
                .cloned()
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    };
    for r in &module.refs {
        let from = match r.from {
            Owner::Block(i) if node(i) => i,
            Owner::Local(li) => blocks + li,
            _ => continue,
        };
        for to in targets(&r.target) {
            if let Some(list) = edges.get_mut(from) {
                list.push(Edge {
                    to,
                    file: r.file,
                    span: r.span.clone(),
                });
            }
        }
    }
    for (i, b) in module.blocks.iter().enumerate() {
        if !node(i) {
            continue;
        }
        for (address, span) in &b.depends_on {
            if let Some(j) = module.index_of(address).filter(|&j| node(j))
                && let Some(list) = edges.get_mut(i)
            {
                list.push(Edge {
                    to: j,
                    file: b.file,
                    span: span.clone(),
                });
            }
        }
    }
    Graph { edges }
}

/// The strongly connected components of more than one node, and the nodes with an edge
/// to themselves (Tarjan's algorithm, without recursion: a module may have tens of
/// thousands of blocks).
fn cycles(g: &Graph) -> Vec<Vec<usize>> {
    let n = g.edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, next edge to look at)
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut e)) = work.last_mut() {
            if let Some(edge) = g.edges[v].get(*e) {
                *e += 1;
                let w = edge.to;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                let looped = component.len() > 1 || g.edges[v].iter().any(|e| e.to == v);
                if looped {
                    component.sort_unstable();
                    out.push(component);
                }
            }
        }
    }
    out
}

impl Rule for ReferenceCycle {
    fn id(&self) -> &'static str {
        "reference-cycle"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            self.module_cycles(module, out);
            if module.refs.is_empty() {
                continue;
            }
            let g = graph(module);
            // A node's address, made only for the cycles reported.
            let name = |v: usize| match module.blocks.get(v) {
                Some(b) => b.address.clone(),
                None => module
                    .locals
                    .get(v - module.blocks.len())
                    .map(|l| format!("local.{}", l.name))
                    .unwrap_or_default(),
            };
            for component in cycles(&g) {
                let members: std::collections::BTreeSet<usize> =
                    component.iter().copied().collect();
                // One step out of each member to another member, starting at the
                // first member in file order.
                let step = |v: usize| g.edges[v].iter().find(|e| members.contains(&e.to));
                let Some(&first) = component.first() else {
                    continue;
                };
                let Some(start) = step(first) else {
                    continue;
                };
                // A long cycle is named by its first ten blocks.
                let mut list = component
                    .iter()
                    .take(10)
                    .map(|&v| name(v))
                    .collect::<Vec<_>>()
                    .join(", ");
                if component.len() > 10 {
                    list.push_str(&format!(" and {} more", component.len() - 10));
                }
                let message = if component.len() == 1 && first >= module.blocks.len() {
                    format!(
                        "`{}` is built from itself: `terraform validate` stops (\"Self-referencing local value\")",
                        name(first)
                    )
                } else if component.len() == 1 {
                    format!(
                        "`{}` refers to itself (only `self` may, in a provisioner, a connection or a condition): `terraform plan` stops (\"Self-referential block\")",
                        name(first)
                    )
                } else {
                    format!(
                        "{list} reach each other through their references: Terraform has no block to create first, and `terraform validate` stops (\"Error: Cycle: {list}\")"
                    )
                };
                let mut f = self.finding(
                    start.file,
                    start.span.clone(),
                    format!("`{}` is part of a dependency cycle", name(first)),
                    message,
                );
                f.address = Some(name(first));
                f.related = component
                    .iter()
                    .skip(1)
                    .take(10)
                    .filter_map(|&v| {
                        let e = step(v)?;
                        Some(Related {
                            file: e.file,
                            span: e.span.clone(),
                            message: format!("`{}` refers to `{}`", name(v), name(e.to)),
                        })
                    })
                    .collect();
                out.push(f);
            }
        }
    }
}

impl ReferenceCycle {
    /// `module.a` with `depends_on = [module.b]` while `module.b` takes an output of
    /// `module.a` (or depends on it): a cycle between the two calls.
    fn module_cycles(&self, module: &Module<'_>, out: &mut Vec<Finding>) {
        let mut reported: Vec<(String, String)> = Vec::new();
        for a in module.blocks_of(BlockKind::Module) {
            for (dep, span) in &a.depends_on {
                let Some(b) = module.block(dep) else {
                    continue;
                };
                if b.kind != BlockKind::Module || b.address == a.address {
                    continue;
                }
                let back = b
                    .depends_on
                    .iter()
                    .find(|(d, _)| *d == a.address)
                    .map(|(_, s)| s.clone())
                    .or_else(|| {
                        let mut refs = RefCollector::default();
                        refs.body(b.body());
                        refs.refs
                            .into_iter()
                            .find(|r| r.target.address() == a.address)
                            .map(|r| r.span)
                    });
                let Some(back) = back else {
                    continue;
                };
                let pair = if a.address < b.address {
                    (a.address.clone(), b.address.clone())
                } else {
                    (b.address.clone(), a.address.clone())
                };
                if reported.contains(&pair) {
                    continue;
                }
                reported.push(pair);
                let mut f = self.finding(
                    a.file,
                    span.clone(),
                    format!("`{}` is part of a dependency cycle", a.address),
                    format!(
                        "`{}` depends on all of `{}` (`depends_on`), and `{}` waits for `{}` in turn: every part of `{}` waits for `{}` to finish, which waits for `{}`'s output, and `terraform validate` stops (\"Error: Cycle: {}…\"); pass the values instead of `depends_on`, or remove the reference back",
                        a.address, b.address, b.address, a.address, a.address, b.address, a.address, a.address
                    ),
                );
                f.address = Some(a.address.clone());
                f.key = format!("module:{}", b.address);
                f.related.push(Related {
                    file: b.file,
                    span: back,
                    message: format!("`{}` refers to `{}`", b.address, a.address),
                });
                out.push(f);
            }
        }
    }
}
