//! Partial evaluation of strings: what a name will at least look like, with variables
//! taken from `*.tfvars` (first), what the callers of a child module agree to pass it, or
//! their defaults, and locals followed. Parts that
//! cannot be known (resource attributes, function calls, variables without a value) are
//! left out and make the result partial, so rules can reason on lower bounds: a partial
//! value's known text is always part of the real value.

use hcl_edit::expr::Expression;
use hcl_edit::template::Element;

use super::expr::traversal_path;
use super::{Model, Module};
use crate::workspace::FileId;

/// The text known of a string, and whether it is the whole value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Known {
    pub text: String,
    pub complete: bool,
    /// The known text before the first unknown part.
    pub prefix: String,
}

impl Known {
    fn push_known(&mut self, text: &str) {
        if self.complete {
            self.prefix.push_str(text);
        }
        self.text.push_str(text);
    }

    fn push(&mut self, other: Known) {
        // `prefix` is a prefix of `text` (both are built together and case-mapped alike).
        let known = if other.text.starts_with(&other.prefix) {
            other.prefix.as_str()
        } else {
            ""
        };
        self.push_known(known);
        if !other.complete {
            let rest = other.text.get(known.len()..).unwrap_or("");
            self.complete = false;
            self.text.push_str(rest);
        }
    }
}

/// Evaluates `expr` in `module` as far as it can be known.
pub fn known(module: &Module<'_>, expr: &Expression) -> Known {
    eval(module, expr, 0)
}

fn unknown() -> Known {
    Known {
        complete: false,
        ..Known::default()
    }
}

fn literal(text: &str) -> Known {
    Known {
        text: text.to_string(),
        complete: true,
        prefix: text.to_string(),
    }
}

fn eval(module: &Module<'_>, expr: &Expression, depth: usize) -> Known {
    if depth > 8 {
        return unknown();
    }
    match expr {
        Expression::String(s) => literal(s.value()),
        Expression::Number(n) => literal(&n.to_string()),
        Expression::Bool(b) => literal(if *b.value() { "true" } else { "false" }),
        Expression::Parenthesis(p) => eval(module, p.inner(), depth + 1),
        Expression::StringTemplate(t) => {
            let mut out = literal("");
            for element in t.iter() {
                match element {
                    Element::Literal(l) => out.push_known(l.value()),
                    Element::Interpolation(i) => out.push(eval(module, &i.expr, depth + 1)),
                    Element::Directive(_) => out.push(unknown()),
                }
            }
            out
        }
        Expression::Traversal(_) => match traversal_path(expr) {
            Some(("var", attrs)) if attrs.len() == 1 => variable(module, attrs[0], depth),
            Some(("local", attrs)) if attrs.len() == 1 => module
                .locals
                .iter()
                .find(|l| l.name == attrs[0])
                .map_or_else(unknown, |l| eval(module, &l.attr.value, depth + 1)),
            _ => unknown(),
        },
        Expression::FuncCall(call) => {
            let name = call.name.name.as_str();
            let args: Vec<&Expression> = call.args.iter().collect();
            match (name, args.as_slice()) {
                ("lower" | "upper" | "trimspace", [arg]) => {
                    let mut k = eval(module, arg, depth + 1);
                    if name == "lower" {
                        k.text = k.text.to_lowercase();
                        k.prefix = k.prefix.to_lowercase();
                    } else if name == "upper" {
                        k.text = k.text.to_uppercase();
                        k.prefix = k.prefix.to_uppercase();
                    }
                    if name == "trimspace" && k.text.trim() != k.text {
                        return unknown();
                    }
                    k
                }
                _ => unknown(),
            }
        }
        _ => unknown(),
    }
}

/// How many instances a `count` makes, as far as the module tells: a number, the length
/// of a list (written, a variable's default, a local), the smallest of several (`min`).
pub fn count(module: &Module<'_>, expr: &Expression) -> Option<u64> {
    count_at(module, expr, 0)
}

fn count_at(module: &Module<'_>, expr: &Expression, depth: usize) -> Option<u64> {
    if depth > 4 {
        return None;
    }
    match expr {
        Expression::Parenthesis(p) => count_at(module, p.inner(), depth + 1),
        Expression::Array(items) => Some(items.len() as u64),
        Expression::Traversal(_) => match traversal_path(expr)
            .as_ref()
            .map(|(root, attrs)| (*root, attrs.as_slice()))?
        {
            ("var", [name]) => {
                if let Some(given) = module.inputs.get(*name) {
                    return given.complete.then(|| given.text.parse().ok())?;
                }
                let default = module.block(&format!("var.{name}"))?.attr("default")?;
                count_at(module, &default.value, depth + 1)
            }
            ("local", [name]) => {
                let local = module.locals.iter().find(|l| l.name == *name)?;
                count_at(module, &local.attr.value, depth + 1)
            }
            _ => known(module, expr).text.parse().ok(),
        },
        Expression::FuncCall(call) => {
            let args: Vec<&Expression> = call.args.iter().collect();
            match (call.name.name.as_str(), args.as_slice()) {
                ("length", [list]) => count_at(module, list, depth + 1),
                ("min", many) => many
                    .iter()
                    .map(|a| count_at(module, a, depth + 1))
                    .collect::<Option<Vec<_>>>()?
                    .into_iter()
                    .min(),
                _ => None,
            }
        }
        other => known(module, other).text.parse().ok(),
    }
}

/// Where a value is written as a literal (string, number or bool; each element of a list):
/// the expression itself, or — through
/// `var.x` and `local.x` — each `*.tfvars` value of the variable, what each caller of a
/// child module passes for it, its default (unless every caller passes one), and the
/// local's value, followed as far as they lead. Each place with its file. A value built
/// from parts (a template with interpolations, a function call) has no such place.
pub fn literal_sources<'a>(
    model: &'a Model<'a>,
    module: &'a Module<'a>,
    file: FileId,
    expr: &'a Expression,
) -> Vec<(FileId, &'a Expression)> {
    collect(model, module, file, expr, Want::Literal)
}

/// The expressions a value can be: the expression itself, or — through `var.x` and
/// `local.x`, and inside parentheses — the places [`literal_sources`] follows (tfvars
/// values, what callers of a child module pass, the default, the local's value), whatever
/// kind of expression each is (a heredoc, a function call, a reference). Each with its
/// file.
pub fn value_sources<'a>(
    model: &'a Model<'a>,
    module: &'a Module<'a>,
    file: FileId,
    expr: &'a Expression,
) -> Vec<(FileId, &'a Expression)> {
    collect(model, module, file, expr, Want::Value)
}

/// Where a map value is written as an object literal (`{ KEY = value }`): the expression
/// itself, each argument of a `merge(…)`, and — through `var.x` and `local.x` — the
/// places [`literal_sources`] follows (tfvars values, what callers of a child module pass,
/// the default, the local's value). Each object with its file.
pub fn object_sources<'a>(
    model: &'a Model<'a>,
    module: &'a Module<'a>,
    file: FileId,
    expr: &'a Expression,
) -> Vec<(FileId, &'a Expression)> {
    collect(model, module, file, expr, Want::Object)
}

/// [`sources`] from the top, into a new list.
fn collect<'a>(
    model: &'a Model<'a>,
    module: &'a Module<'a>,
    file: FileId,
    expr: &'a Expression,
    want: Want,
) -> Vec<(FileId, &'a Expression)> {
    let mut out = Vec::new();
    sources(model, module, file, expr, want, 0, &mut out);
    out
}

/// What [`sources`] collects.
#[derive(Clone, Copy, PartialEq)]
enum Want {
    /// Strings, numbers and bools; each element of a list.
    Literal,
    /// Object literals; each argument of `merge`.
    Object,
    /// Every expression that is not itself `var.x`, `local.x` or parentheses.
    Value,
}

fn sources<'a>(
    model: &'a Model<'a>,
    module: &'a Module<'a>,
    file: FileId,
    expr: &'a Expression,
    want: Want,
    depth: usize,
    out: &mut Vec<(FileId, &'a Expression)>,
) {
    if depth > 8 {
        return;
    }
    let sources = |model, module, file, expr, depth, out: &mut Vec<(FileId, &'a Expression)>| {
        sources(model, module, file, expr, want, depth, out)
    };
    match expr {
        Expression::String(_) | Expression::Number(_) | Expression::Bool(_)
            if want == Want::Literal =>
        {
            out.push((file, expr))
        }
        Expression::StringTemplate(t)
            if want == Want::Literal && t.iter().all(|e| matches!(e, Element::Literal(_))) =>
        {
            out.push((file, expr))
        }
        Expression::Object(_) if want == Want::Object => out.push((file, expr)),
        Expression::FuncCall(call)
            if want == Want::Object && call.name.name.as_str() == "merge" =>
        {
            for arg in call.args.iter() {
                sources(model, module, file, arg, depth + 1, out);
            }
        }
        Expression::Parenthesis(p) => sources(model, module, file, p.inner(), depth + 1, out),
        // Each element of a list can be where a value comes from (`["0.0.0.0/0"]`).
        Expression::Array(items) if want == Want::Literal => {
            for item in items.iter() {
                sources(model, module, file, item, depth + 1, out);
            }
        }
        Expression::Traversal(_) => match traversal_path(expr) {
            Some(("var", attrs)) if attrs.len() == 1 => {
                let name = attrs[0];
                for v in module.tfvars.iter().filter(|v| v.name == name) {
                    sources(model, module, v.file, v.value, depth + 1, out);
                }
                // A variable that a module nobody calls uses without declaring it (an
                // answer's module folders, written without their wiring): whatever the
                // tfvars of the analysis's other modules give that name is what the author
                // meant it to be.
                if model.ws.task
                    && !module.is_child
                    && module.block(&format!("var.{name}")).is_none()
                    && !module.tfvars.iter().any(|v| v.name == name)
                {
                    for other in model.modules.iter().filter(|m| m.dir != module.dir) {
                        for v in other.tfvars.iter().filter(|v| v.name == name) {
                            sources(model, other, v.file, v.value, depth + 1, out);
                        }
                    }
                }
                // A child module's input: what each caller passes. When every call
                // passes it, the default is never used.
                let mut calls = 0;
                let mut passed = 0;
                for (caller, call) in model.callers_of(&module.dir) {
                    calls += 1;
                    if let Some(arg) = call.attr(name) {
                        passed += 1;
                        sources(model, caller, call.file, &arg.value, depth + 1, out);
                    }
                }
                // A map set by a tfvars file replaces the default whole.
                let map_set = want == Want::Object && module.tfvars.iter().any(|v| v.name == name);
                if (calls == 0 || passed < calls)
                    && !map_set
                    && let Some(b) = module.block(&format!("var.{name}"))
                    && let Some(d) = b.attr("default")
                {
                    sources(model, module, b.file, &d.value, depth + 1, out);
                }
            }
            Some(("local", attrs)) if attrs.len() == 1 => {
                if let Some(l) = module.locals.iter().find(|l| l.name == attrs[0]) {
                    sources(model, module, l.file, &l.attr.value, depth + 1, out);
                }
            }
            _ if want == Want::Value => out.push((file, expr)),
            _ => {}
        },
        _ if want == Want::Value => out.push((file, expr)),
        _ => {}
    }
}

/// Where a finding about a value belongs: the first place [`literal_sources`] finds it
/// written (a variable's default, a tfvars value), else the expression itself.
pub struct Written {
    pub file: FileId,
    pub span: std::ops::Range<usize>,
    /// Whether that place is the expression itself; when not, the expression is where
    /// the value is used (a related place).
    pub own: bool,
}

pub fn written_at<'a>(
    model: &'a Model<'a>,
    module: &'a Module<'a>,
    file: FileId,
    expr: &'a Expression,
) -> Written {
    let here = super::expr::span_of(expr);
    let (at, span) = literal_sources(model, module, file, expr)
        .first()
        .map_or((file, here.clone()), |(f, e)| {
            (*f, super::expr::span_of(*e))
        });
    Written {
        own: at == file && span == here,
        file: at,
        span,
    }
}

/// The places that can make a bool expression true: a literal `true` among the values a
/// variable or local can take (its default, each tfvars value, what each caller passes),
/// and for `x == "v"` each place where `x` is written as `"v"`; a conditional takes either
/// branch. Empty when nothing known can make it true.
pub fn true_sources<'a>(
    model: &'a Model<'a>,
    module: &'a Module<'a>,
    file: FileId,
    expr: &'a Expression,
) -> Vec<(FileId, &'a Expression)> {
    let text = |e: &Expression| match e {
        Expression::String(s) => Some(s.value().to_string()),
        Expression::Bool(b) => Some(b.value().to_string()),
        Expression::Number(n) => Some(n.to_string()),
        Expression::StringTemplate(t) => t
            .iter()
            .map(|e| match e {
                Element::Literal(l) => Some(l.value().to_string()),
                _ => None,
            })
            .collect::<Option<String>>(),
        _ => None,
    };
    match expr {
        Expression::Parenthesis(p) => true_sources(model, module, file, p.inner()),
        Expression::Conditional(c) => {
            let mut out = true_sources(model, module, file, &c.true_expr);
            out.extend(true_sources(model, module, file, &c.false_expr));
            out
        }
        Expression::BinaryOp(op)
            if matches!(op.operator.value(), hcl_edit::expr::BinaryOperator::Eq) =>
        {
            // One side a literal, the other a value with known places.
            let (value, wanted) = match (text(&op.lhs_expr), text(&op.rhs_expr)) {
                (None, Some(w)) => (&op.lhs_expr, w),
                (Some(w), None) => (&op.rhs_expr, w),
                _ => return Vec::new(),
            };
            literal_sources(model, module, file, value)
                .into_iter()
                .filter(|(_, e)| text(e).as_deref() == Some(wanted.as_str()))
                .collect()
        }
        _ => literal_sources(model, module, file, expr)
            .into_iter()
            .filter(|(_, e)| text(e).as_deref() == Some("true"))
            .collect(),
    }
}

fn variable(module: &Module<'_>, name: &str, depth: usize) -> Known {
    // A child module's input: what its callers give it (Terraform reads no tfvars for a
    // module it calls).
    if let Some(given) = module.inputs.get(name) {
        return given.clone();
    }
    if let Some(v) = module.tfvars.iter().rev().find(|v| v.name == name) {
        return eval(module, v.value, depth + 1);
    }
    module
        .block(&format!("var.{name}"))
        .and_then(|b| b.attr("default"))
        .map_or_else(unknown, |d| eval(module, &d.value, depth + 1))
}

/// Fills in each child module's [`Module::inputs`]. For each variable the module
/// declares, every call of the module gives a value: what it passes, evaluated in the
/// calling module (its tfvars, its own inputs, its locals), or else the variable's
/// default. When every call gives the same known text, that is the input; when calls
/// differ, or one gives nothing, the input is unknown (no default stands in for it). A
/// module nobody calls keeps its defaults. Modules called from child modules take what
/// their caller's inputs became: every input starts unknown, and the passes repeat
/// until nothing changes (each carries values one level further down a chain of calls;
/// calls in a cycle that never settle leave their inputs unknown).
pub(crate) fn resolve_inputs(
    modules: &mut [Module<'_>],
    calls: &std::collections::HashMap<String, Vec<(usize, usize)>>,
) {
    use std::collections::HashMap;
    if calls.is_empty() {
        return;
    }
    // Unknown until the callers' own inputs are known: a value computed from a middle
    // module's default before its caller's value reached it is never taken.
    for m in modules.iter_mut().filter(|m| calls.contains_key(&m.dir)) {
        m.inputs = m
            .blocks_of(super::BlockKind::Variable)
            .map(|v| (v.label(0).to_string(), unknown()))
            .collect();
    }
    let mut settled = false;
    for _ in 0..=modules.len().min(64) {
        let next: Vec<Option<HashMap<String, Known>>> = modules
            .iter()
            .map(|m| {
                let callers = calls.get(&m.dir)?;
                let mut inputs = HashMap::new();
                for var in m.blocks_of(super::BlockKind::Variable) {
                    let name = var.label(0);
                    let mut agreed: Option<Known> = None;
                    for &(i, j) in callers {
                        let (caller, call) = (&modules[i], &modules[i].blocks[j]);
                        let given = match (call.attr(name), var.attr("default")) {
                            (Some(arg), _) => eval(caller, &arg.value, 1),
                            (None, Some(default)) => eval(m, &default.value, 1),
                            (None, None) => unknown(),
                        };
                        match &agreed {
                            None => agreed = Some(given),
                            Some(a) if *a == given => {}
                            Some(_) => {
                                agreed = Some(unknown());
                                break;
                            }
                        }
                    }
                    if let Some(value) = agreed {
                        inputs.insert(name.to_string(), value);
                    }
                }
                Some(inputs)
            })
            .collect();
        let mut changed = false;
        for (m, inputs) in modules.iter_mut().zip(next) {
            if let Some(inputs) = inputs
                && m.inputs != inputs
            {
                m.inputs = inputs;
                changed = true;
            }
        }
        if !changed {
            settled = true;
            break;
        }
    }
    if !settled {
        for m in modules.iter_mut().filter(|m| calls.contains_key(&m.dir)) {
            for value in m.inputs.values_mut() {
                *value = unknown();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known_of(src: &str, name: &str) -> Known {
        let body: hcl_edit::structure::Body = src.parse().unwrap();
        let ws = crate::workspace::Workspace::from_files(
            "/w",
            vec![crate::workspace::SourceFile::new(
                "main.tf",
                crate::workspace::FileKind::Terraform,
                src,
            )],
        );
        let parsed = crate::model::Model::parse_all(&ws);
        let model = crate::model::Model::build(&ws, &parsed);
        let module = &model.modules[0];
        let attr = body.get_attribute(name).map(|a| a.value.clone()).unwrap();
        known(module, &attr)
    }

    #[test]
    fn sources_follow_callers_and_skip_a_default_every_caller_overrides() {
        use crate::workspace::{FileKind, SourceFile, Workspace};
        let ws = Workspace::from_files(
            "/w",
            vec![
                SourceFile::new(
                    "main.tf",
                    FileKind::Terraform,
                    "module \"db\" {\n  source  = \"./db\"\n  runtime = \"python3.12\"\n}\n",
                ),
                SourceFile::new(
                    "db/main.tf",
                    FileKind::Terraform,
                    "variable \"runtime\" {\n  default = \"python3.8\"\n}\nvariable \"size\" {\n  default = 5\n}\nlocals {\n  r = var.runtime\n  s = var.size\n}\n",
                ),
            ],
        );
        let parsed = crate::model::Model::parse_all(&ws);
        let model = crate::model::Model::build(&ws, &parsed);
        let child = model.module_at("db").unwrap();
        let texts = |name: &str| -> Vec<String> {
            let local = child.locals.iter().find(|l| l.name == name).unwrap();
            literal_sources(&model, child, local.file, &local.attr.value)
                .into_iter()
                .map(|(_, e)| known(child, e).text)
                .collect()
        };
        // The caller passes the runtime: its default is never used.
        assert_eq!(texts("r"), ["python3.12"]);
        // Nobody passes the size: the default is where it comes from.
        assert_eq!(texts("s"), ["5"]);
    }

    #[test]
    fn an_undeclared_variable_of_a_module_nobody_calls_takes_the_other_modules_tfvars() {
        use crate::workspace::{FileKind, SourceFile, Workspace};
        let ws = Workspace::from_files(
            "/w",
            vec![
                SourceFile::new(
                    "modules/db/rds.tf",
                    FileKind::Terraform,
                    "resource \"aws_db_instance\" \"db\" {\n  deletion_protection = var.protect\n}\n",
                ),
                SourceFile::new("envs/prod/main.tf", FileKind::Terraform, "terraform {}\n"),
                SourceFile::new(
                    "envs/prod/terraform.tfvars",
                    FileKind::Tfvars,
                    "protect = true\n",
                ),
                SourceFile::new(
                    "envs/dev/main.tf",
                    FileKind::Terraform,
                    "variable \"protect\" {}\n",
                ),
                SourceFile::new(
                    "envs/dev/terraform.tfvars",
                    FileKind::Tfvars,
                    "protect = false\n",
                ),
            ],
        );
        // An answer's folders (only task mode looks across modules this way).
        let mut ws = ws;
        ws.task = true;
        let parsed = crate::model::Model::parse_all(&ws);
        let model = crate::model::Model::build(&ws, &parsed);
        let db = model.module_at("modules/db").unwrap();
        let b = db.block("aws_db_instance.db").unwrap();
        let value = &b.attr("deletion_protection").unwrap().value;
        let texts: Vec<String> = literal_sources(&model, db, b.file, value)
            .into_iter()
            .map(|(_, e)| known(db, e).text)
            .collect();
        // Every environment's value, in the modules' order.
        assert_eq!(texts, ["false", "true"]);
    }

    #[test]
    fn a_child_module_knows_the_inputs_its_callers_agree_on() {
        use crate::workspace::{FileKind, SourceFile, Workspace};
        let file = |path: &str, src: &str| SourceFile::new(path, FileKind::Terraform, src);
        let ws = Workspace::from_files(
            "/w",
            vec![
                file(
                    "main.tf",
                    "variable \"env\" {\n  default = \"prod\"\n}\nmodule \"a\" {\n  source  = \"./svc\"\n  engine  = \"8.0.28\"\n  env     = var.env\n  size    = 3\n  zone    = \"a\"\n}\nmodule \"b\" {\n  source  = \"./svc\"\n  engine  = \"8.0.28\"\n  env     = var.env\n  zone    = \"b\"\n}\n",
                ),
                file(
                    "svc/main.tf",
                    "variable \"engine\" {}\nvariable \"env\" {}\nvariable \"size\" {\n  default = 3\n}\nvariable \"zone\" {\n  default = \"a\"\n}\nvariable \"tier\" {\n  default = \"web\"\n}\nmodule \"inner\" {\n  source = \"./inner\"\n  name   = \"${var.env}-${var.tier}\"\n}\n",
                ),
                file(
                    "svc/inner/main.tf",
                    "variable \"name\" {\n  default = \"x\"\n}\n",
                ),
                // Nobody calls this one: its defaults stand.
                file(
                    "lone/main.tf",
                    "variable \"env\" {\n  default = \"dev\"\n}\n",
                ),
            ],
        );
        let parsed = crate::model::Model::parse_all(&ws);
        let model = crate::model::Model::build(&ws, &parsed);
        let value = |dir: &str, name: &str| -> Known {
            let m = model.module_at(dir).unwrap();
            super::variable(m, name, 0)
        };
        // Both calls pass the same text: no default needed.
        assert_eq!(value("svc", "engine").text, "8.0.28");
        assert!(value("svc", "engine").complete);
        // Evaluated where the call is: the caller's default.
        assert_eq!(value("svc", "env").text, "prod");
        // One call passes 3, the other takes the default 3.
        assert_eq!(value("svc", "size").text, "3");
        // The calls give different zones: unknown, not the default.
        let zone = value("svc", "zone");
        assert_eq!((zone.text.as_str(), zone.complete), ("", false));
        // Nobody passes the tier: the default.
        assert_eq!(value("svc", "tier").text, "web");
        // Two levels down, through the middle module's inputs.
        assert_eq!(value("svc/inner", "name").text, "prod-web");
        assert_eq!(value("lone", "env").text, "dev");
        // `count` reads the same inputs.
        let svc = model.module_at("svc").unwrap();
        let size: hcl_edit::expr::Expression = "var.size".parse().unwrap();
        assert_eq!(count(svc, &size), Some(3));
    }

    #[test]
    fn inputs_reach_the_end_of_a_long_chain_of_calls() {
        use crate::workspace::{FileKind, SourceFile, Workspace};
        // The root passes the version to m1, each module passes it on to the next; each
        // has a stale default that is never used.
        let mut files = vec![SourceFile::new(
            "main.tf",
            FileKind::Terraform,
            "module \"m1\" {\n  source = \"./m1\"\n  v      = \"8.0.40\"\n}\n",
        )];
        for i in 1..=6 {
            let next = if i < 6 {
                format!(
                    "module \"m{0}\" {{\n  source = \"./m{0}\"\n  v      = var.v\n}}\n",
                    i + 1
                )
            } else {
                String::new()
            };
            let dir = (1..=i)
                .map(|k| format!("m{k}"))
                .collect::<Vec<_>>()
                .join("/");
            files.push(SourceFile::new(
                format!("{dir}/main.tf"),
                FileKind::Terraform,
                format!("variable \"v\" {{\n  default = \"8.0.28\"\n}}\n{next}"),
            ));
        }
        let ws = Workspace::from_files("/w", files);
        let parsed = crate::model::Model::parse_all(&ws);
        let model = crate::model::Model::build(&ws, &parsed);
        let last = model.module_at("m1/m2/m3/m4/m5/m6").unwrap();
        assert_eq!(super::variable(last, "v", 0).text, "8.0.40");
    }

    #[test]
    fn defaults_locals_and_unknown_parts() {
        let src = "variable \"p\" {\n  default = \"pay\"\n}\nlocals {\n  n = \"${var.p}-x\"\n}\na = \"${local.n}-${var.q}-end\"\nb = upper(\"İstanbul-${var.q}\")\nc = true\n";
        let a = known_of(src, "a");
        assert_eq!(
            (a.text.as_str(), a.prefix.as_str(), a.complete),
            ("pay-x--end", "pay-x-", false)
        );
        // Case mapping that changes byte lengths must not break the prefix.
        let b = known_of(src, "b");
        assert!(!b.complete);
        assert_eq!(known_of(src, "c").text, "true");
    }
}
