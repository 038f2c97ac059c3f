//! # A name alone where Terraform needs a reference
//!
//! ## What it does
//! Reports a name used on its own in an expression — `environment`, `${HOSTNAME}` in a
//! heredoc, `var` — that no `for` expression or template `for` binds. Terraform has no
//! bare names: a value is `var.x`, `local.x`, `each.key`, `aws_s3_bucket.b.id`, …
//!
//! Names are allowed where Terraform reads them as words, not values: a variable's
//! `type`, `lifecycle { ignore_changes }`, a provisioner's `when` and `on_failure`,
//! `provider = aws`, the values of a module's `providers` map, a `dynamic` block's
//! `iterator`, and the `terraform` block.
//!
//! ## Why is this bad?
//! Terraform stops before planning. The usual source is a heredoc (user data, a
//! template written by `local_file`) holding shell or template variables: `${name}` in
//! a Terraform string is Terraform's interpolation, and the literal text needs `$${name}`.
//!
//! ## Error
//! ```text
//! Error: Invalid reference
//!
//! A reference to a resource type must be followed by at least one attribute access,
//! specifying the resource name.
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_instance" "web" {
//!   user_data = <<-EOF
//!     #!/bin/bash
//!     echo "running in ${environment}" > /etc/motd
//!   EOF
//! }
//! ```
//! Use instead `$${environment}` (the shell's variable), or `${var.environment}` (the
//! module's).
//!
//! ## Fix safety
//! Unsafe, and for every use of the name in the block. When the module declares a
//! variable or local of that name (and the name is not written as shell variables are,
//! `HOSTNAME`), the fix refers to it (`var.name`); otherwise, inside strings and
//! heredocs, it escapes the interpolation as `$${name}`, which keeps the text for the
//! shell or the template. Either is a guess at what was meant.
//!
//! ## Root cause
//! Shell or template syntax written into a Terraform string, or a reference with its
//! namespace (`var.`, `local.`) left out.
//!
//! ## Impact
//! Deployment blocker: `terraform validate` and `plan` fail.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/expressions/references
//! https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences

use std::ops::Range;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};
use hcl_edit::template::Element;
use hcl_edit::visit::{self, Visit};

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::expr::{
    Scoped, dynamic_iterator, span_of, visit_for_directive_scoped, visit_for_expr_scoped,
};
use crate::model::{BlockKind, Model};

pub struct ReferenceInvalid;

impl Rule for ReferenceInvalid {
    fn id(&self) -> &'static str {
        "reference-invalid"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in &module.blocks {
                if b.kind == BlockKind::Terraform
                    || model
                        .ws
                        .files
                        .get(b.file)
                        .is_some_and(|f| f.kind == crate::workspace::FileKind::Tfvars)
                {
                    continue;
                }
                let mut names = BareNames::default();
                names.top_level(b.kind, b.block);
                let path = model.ws.files.get(b.file).map_or("", |f| f.path.as_str());
                // One finding per name and block (a heredoc repeats its variables), whose
                // fix mends every use of the name in the block.
                let mut seen = std::collections::HashSet::new();
                for bare in &names.found {
                    let interpolated = bare.interpolation.is_some();
                    if !seen.insert((bare.name.clone(), interpolated)) {
                        continue;
                    }
                    let name = &bare.name;
                    let same = names
                        .found
                        .iter()
                        .filter(|o| o.name == *name && o.interpolation.is_some() == interpolated);
                    // A module value of that name is what was meant, unless the name is
                    // written as the shell writes its variables.
                    let declared = if module.has_variable(name) {
                        Some(format!("var.{name}"))
                    } else if module.locals.iter().any(|l| l.name == name) {
                        Some(format!("local.{name}"))
                    } else {
                        None
                    };
                    let shell = name
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                    let fix = match (&declared, interpolated && !(shell && declared.is_none())) {
                        (Some(reference), _) if !shell || !interpolated => Some(Fix {
                            title: format!("Refer to `{reference}`"),
                            applicability: Applicability::Unsafe,
                            edits: same
                                .map(|o| Edit::replace(path, o.span.clone(), reference.clone()))
                                .collect(),
                        }),
                        _ if interpolated => Some(Fix {
                            title: format!(
                                "Escape `${{{name}}}` as `$${{{name}}}` (literal text for the shell or template)"
                            ),
                            applicability: Applicability::Unsafe,
                            edits: same
                                .filter_map(|o| o.interpolation.as_ref())
                                .filter(|i| {
                                    model
                                        .src(b.file)
                                        .get((*i).clone())
                                        .is_some_and(|t| t.starts_with("${"))
                                })
                                .map(|i| i.start)
                                // `${a + a}`: one interpolation, one `$`.
                                .collect::<std::collections::BTreeSet<_>>()
                                .into_iter()
                                .map(|start| Edit::insert(path, start, "$"))
                                .collect(),
                        }),
                        _ => None,
                    };
                    let meant = match &declared {
                        Some(reference) => format!("the module declares `{reference}`"),
                        None => format!("a module value is `var.{name}` or `local.{name}`"),
                    };
                    let (title, message) = if interpolated {
                        (
                            format!("`${{{name}}}` is not a Terraform reference"),
                            format!(
                                "`{}` interpolates `{name}`, a name Terraform does not know (it has no bare names): Terraform stops with \"Invalid reference\". Shell and template variables in a Terraform string are written `$${{{name}}}`; {meant}",
                                b.address
                            ),
                        )
                    } else {
                        (
                            format!("`{name}` alone is not a Terraform reference"),
                            format!(
                                "`{}` uses `{name}` on its own, which names nothing (Terraform has no bare names): Terraform stops with \"Invalid reference\"; {meant}",
                                b.address
                            ),
                        )
                    };
                    let mut f = self.finding(b.file, bare.span.clone(), title, message);
                    f.address = Some(b.address.clone());
                    f.key = if interpolated {
                        format!("${{{name}}}")
                    } else {
                        name.clone()
                    };
                    f.fix = fix.filter(|fix| !fix.edits.is_empty());
                    out.push(f);
                }
            }
        }
    }
}

/// A bare name found: the name, its span, and the `${…}` around it when it is
/// interpolated in a string or heredoc.
struct Bare {
    name: String,
    span: Range<usize>,
    interpolation: Option<Range<usize>>,
}

/// Finds the bare names of a block, knowing which names `for` expressions, template
/// `for` directives and `dynamic` blocks bind, and which arguments take words.
#[derive(Default)]
struct BareNames {
    found: Vec<Bare>,
    scope: Vec<String>,
    /// The span of the interpolation being visited.
    interpolation: Option<Range<usize>>,
}

impl BareNames {
    fn top_level(&mut self, kind: BlockKind, block: &Block) {
        // A `lifecycle` or `provisioner` block quoted on its own (a snippet of an answer).
        if kind == BlockKind::Other
            && matches!(
                block.ident.as_str(),
                "lifecycle" | "provisioner" | "dynamic"
            )
        {
            self.block(block);
            return;
        }
        for attr in block.body.attributes() {
            let key = attr.key.as_str();
            let words = match kind {
                BlockKind::Variable => key == "type",
                BlockKind::Resource | BlockKind::Data | BlockKind::Module | BlockKind::Other => {
                    key == "provider" || key == "providers"
                }
                _ => false,
            };
            if !words {
                self.visit_expr(&attr.value);
            }
        }
        for inner in block.body.blocks() {
            self.block(inner);
        }
    }

    fn body(&mut self, body: &Body) {
        for attr in body.attributes() {
            self.visit_expr(&attr.value);
        }
        for block in body.blocks() {
            self.block(block);
        }
    }

    fn block(&mut self, block: &Block) {
        match block.ident.as_str() {
            // Words: the attributes to ignore, when a provisioner runs and what its
            // failure does (`destroy`, `continue`).
            "lifecycle" | "provisioner" => {
                for attr in block.body.attributes() {
                    if !matches!(attr.key.as_str(), "ignore_changes" | "when" | "on_failure") {
                        self.visit_expr(&attr.value);
                    }
                }
                for inner in block.body.blocks() {
                    self.block(inner);
                }
            }
            "dynamic" => {
                let iterator = dynamic_iterator(block);
                for attr in block.body.attributes() {
                    if attr.key.as_str() != "iterator" {
                        self.visit_expr(&attr.value);
                    }
                }
                let before = self.scope.len();
                self.scope.extend(iterator);
                for inner in block.body.blocks() {
                    self.block(inner);
                }
                self.scope.truncate(before);
            }
            _ => self.body(&block.body),
        }
    }
}

impl Visit for BareNames {
    fn visit_expr(&mut self, expr: &Expression) {
        if let Expression::Variable(v) = expr {
            let name = v.as_str();
            if !self.scope.iter().any(|s| s == name) {
                self.found.push(Bare {
                    name: name.to_string(),
                    span: span_of(expr),
                    interpolation: self.interpolation.clone(),
                });
            }
            return;
        }
        visit::visit_expr(self, expr);
    }

    fn visit_traversal(&mut self, node: &hcl_edit::expr::Traversal) {
        use hcl_edit::expr::TraversalOperator;
        // `var.x`, `aws_s3_bucket.b.id`: a root with an attribute is a reference (other
        // rules check what it names); `name[0]` is still a bare name.
        let attribute = matches!(
            node.operators.first().map(|op| op.value()),
            Some(TraversalOperator::GetAttr(_) | TraversalOperator::AttrSplat(_))
        );
        if !(attribute && matches!(node.expr, Expression::Variable(_))) {
            self.visit_expr(&node.expr);
        }
        for operator in &node.operators {
            self.visit_traversal_operator(operator);
        }
    }

    fn visit_element(&mut self, element: &Element) {
        if let Element::Interpolation(interp) = element {
            let outer = self.interpolation.replace(span_of(interp));
            self.visit_expr(&interp.expr);
            self.interpolation = outer;
            return;
        }
        visit::visit_element(self, element);
    }

    fn visit_for_expr(&mut self, node: &hcl_edit::expr::ForExpr) {
        visit_for_expr_scoped(self, node);
    }

    fn visit_for_directive(&mut self, node: &hcl_edit::template::ForDirective) {
        visit_for_directive_scoped(self, node);
    }
}

impl Scoped for BareNames {
    fn scope(&mut self) -> &mut Vec<String> {
        &mut self.scope
    }
}
