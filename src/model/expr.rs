//! Small, total helpers over hcl-edit expressions: their source text, static string
//! values, traversal paths, and the references an expression makes.

use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::expr::{Expression, Object, ObjectKey, ObjectValue, TraversalOperator};
use hcl_edit::structure::{Block, Body};
use hcl_edit::template::Element;
use hcl_edit::visit::{self, Visit};

/// The byte span of anything hcl-edit parsed (empty at 0 for built values).
pub fn span_of(node: &impl Span) -> Range<usize> {
    node.span().unwrap_or(0..0)
}

/// The header of the block spanning `span` in `src`: up to its opening brace, without
/// the space before it.
pub fn block_header(src: &str, span: Range<usize>) -> Range<usize> {
    let text = src.get(span.clone()).unwrap_or("");
    let end = text.find('{').map_or(0, |i| text[..i].trim_end().len());
    span.start..span.start + end
}

/// The value of a string without interpolations.
pub fn static_str(expr: &Expression) -> Option<String> {
    match expr {
        Expression::String(s) => Some(s.value().to_string()),
        Expression::StringTemplate(t) => {
            let mut out = String::new();
            for element in t.iter() {
                match element {
                    Element::Literal(l) => out.push_str(l.value()),
                    _ => return None,
                }
            }
            Some(out)
        }
        Expression::Parenthesis(p) => static_str(p.inner()),
        _ => None,
    }
}

/// A string as written: literal parts as they are, interpolations as `${source}`. Other
/// expressions give their source text. Used where a rule compares text (principals,
/// names) and an interpolation must stay recognisable.
pub fn string_like(src: &str, expr: &Expression) -> String {
    match expr {
        Expression::String(s) => s.value().to_string(),
        Expression::StringTemplate(t) => {
            let mut out = String::new();
            for element in t.iter() {
                match element {
                    Element::Literal(l) => out.push_str(l.value()),
                    other => out.push_str(src.get(span_of(other)).unwrap_or("${…}")),
                }
            }
            out
        }
        other => src.get(span_of(other)).unwrap_or("").to_string(),
    }
}

/// The leading literal part of a string or template (`"/aws/iam/${x}"` → `/aws/iam/`).
pub fn literal_prefix(expr: &Expression) -> Option<(String, bool)> {
    match expr {
        Expression::String(s) => Some((s.value().to_string(), true)),
        Expression::StringTemplate(t) => {
            let mut out = String::new();
            for element in t.iter() {
                match element {
                    Element::Literal(l) => out.push_str(l.value()),
                    _ => return Some((out, false)),
                }
            }
            Some((out, true))
        }
        _ => None,
    }
}

/// `aws.secondary` → `("aws", ["secondary"])`; `var.x[0].y` → `("var", ["x"])`: the
/// root and the attribute names before the first index or splat.
pub fn traversal_path(expr: &Expression) -> Option<(&str, Vec<&str>)> {
    match expr {
        Expression::Variable(v) => Some((v.as_str(), Vec::new())),
        Expression::Traversal(t) => {
            let Expression::Variable(root) = &t.expr else {
                return None;
            };
            let mut attrs = Vec::new();
            for op in &t.operators {
                match op.value() {
                    TraversalOperator::GetAttr(ident) => attrs.push(ident.as_str()),
                    _ => break,
                }
            }
            Some((root.as_str(), attrs))
        }
        _ => None,
    }
}

/// The text of an object key: an identifier, or the value of a quoted string.
pub fn object_key_text(key: &ObjectKey) -> Option<String> {
    match key {
        ObjectKey::Ident(i) => Some(i.as_str().to_string()),
        ObjectKey::Expression(e) => static_str(e),
    }
}

/// The value of `key` in an object literal (compared exactly).
pub fn object_get<'a>(obj: &'a Object, key: &str) -> Option<(&'a ObjectKey, &'a ObjectValue)> {
    obj.iter()
        .find(|(k, _)| object_key_text(k).as_deref() == Some(key))
}

/// Strings of a string or a list of strings, as written (see [`string_like`]).
pub fn string_list(src: &str, expr: &Expression) -> Vec<String> {
    match expr {
        Expression::Array(items) => items.iter().map(|e| string_like(src, e)).collect(),
        other => vec![string_like(src, other)],
    }
}

/// The namespace a reference points into.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Var(String),
    Local(String),
    Module(String),
    Data { ty: String, name: String },
    Resource { ty: String, name: String },
}

impl Target {
    pub fn address(&self) -> String {
        match self {
            Target::Var(n) => format!("var.{n}"),
            Target::Local(n) => format!("local.{n}"),
            Target::Module(n) => format!("module.{n}"),
            Target::Data { ty, name } => format!("data.{ty}.{name}"),
            Target::Resource { ty, name } => format!("{ty}.{name}"),
        }
    }

    /// The target of a traversal root and its attributes, if it names a declaration.
    pub fn from_path(root: &str, attrs: &[&str]) -> Option<Target> {
        let first = attrs.first()?.to_string();
        match root {
            "var" => Some(Target::Var(first)),
            "local" => Some(Target::Local(first)),
            "module" => Some(Target::Module(first)),
            "data" => Some(Target::Data {
                ty: first,
                name: attrs.get(1)?.to_string(),
            }),
            // Resource types are always `<provider>_<type>`; `each`, `count`, `self`,
            // `path`, `terraform` and iterator names without `_` are not resources.
            _ if root.contains('_') => Some(Target::Resource {
                ty: root.to_string(),
                name: first,
            }),
            _ => None,
        }
    }
}

/// A reference to a declaration, with the span of the traversal that makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRef {
    pub target: Target,
    pub span: Range<usize>,
}

/// Collects the references an expression or body makes, knowing which names are bound by
/// `for` expressions and `dynamic` blocks (so `item.value` is not a resource).
#[derive(Default)]
pub struct RefCollector {
    pub refs: Vec<RawRef>,
    scope: Vec<String>,
}

impl RefCollector {
    pub fn body(&mut self, body: &Body) {
        for attr in body.attributes() {
            self.visit_expr(&attr.value);
        }
        for block in body.blocks() {
            self.block(block);
        }
    }

    pub fn block(&mut self, block: &Block) {
        if block.ident.as_str() == "dynamic" {
            let iterator = dynamic_iterator(block);
            let pushed = iterator.is_some();
            if let Some(name) = iterator {
                self.scope.push(name);
            }
            self.body(&block.body);
            if pushed {
                self.scope.pop();
            }
        } else {
            self.body(&block.body);
        }
    }

    pub fn expr(&mut self, expr: &Expression) {
        self.visit_expr(expr);
    }
}

impl Visit for RefCollector {
    fn visit_expr(&mut self, expr: &Expression) {
        if let Expression::Traversal(_) = expr
            && let Some((root, attrs)) = traversal_path(expr)
            && !self.scope.iter().any(|s| s == root)
            && let Some(target) = Target::from_path(root, &attrs)
        {
            self.refs.push(RawRef {
                target,
                span: span_of(expr),
            });
        }
        visit::visit_expr(self, expr);
    }

    fn visit_for_expr(&mut self, node: &hcl_edit::expr::ForExpr) {
        visit_for_expr_scoped(self, node);
    }

    fn visit_for_directive(&mut self, node: &hcl_edit::template::ForDirective) {
        visit_for_directive_scoped(self, node);
    }
}

impl Scoped for RefCollector {
    fn scope(&mut self) -> &mut Vec<String> {
        &mut self.scope
    }
}

/// The name a `dynamic` block's content reads its element by: its `iterator`, else its
/// label.
pub fn dynamic_iterator(block: &Block) -> Option<String> {
    block
        .body
        .get_attribute("iterator")
        .and_then(|a| traversal_path(&a.value).map(|(root, _)| root.to_string()))
        .or_else(|| block.labels.first().map(|l| l.as_str().to_string()))
}

/// A visitor that knows which names `for` expressions and template `for` directives
/// bind while it visits their bodies.
pub trait Scoped: Visit {
    /// The names bound where the visitor is.
    fn scope(&mut self) -> &mut Vec<String>;
}

/// Visits a `for` expression: its collection outside the loop's scope, the rest with
/// the key and value names bound.
pub fn visit_for_expr_scoped<V: Scoped>(v: &mut V, node: &hcl_edit::expr::ForExpr) {
    v.visit_expr(&node.intro.collection_expr);
    let before = v.scope().len();
    if let Some(key) = &node.intro.key_var {
        v.scope().push(key.as_str().to_string());
    }
    v.scope().push(node.intro.value_var.as_str().to_string());
    if let Some(key_expr) = &node.key_expr {
        v.visit_expr(key_expr);
    }
    v.visit_expr(&node.value_expr);
    if let Some(cond) = &node.cond {
        v.visit_expr(&cond.expr);
    }
    v.scope().truncate(before);
}

/// Visits a template `for` directive as [`visit_for_expr_scoped`] visits a `for`
/// expression.
pub fn visit_for_directive_scoped<V: Scoped>(v: &mut V, node: &hcl_edit::template::ForDirective) {
    let intro = &node.for_expr;
    v.visit_expr(&intro.collection_expr);
    let before = v.scope().len();
    if let Some(key) = &intro.key_var {
        v.scope().push(key.as_str().to_string());
    }
    v.scope().push(intro.value_var.as_str().to_string());
    v.visit_template(&intro.template);
    v.scope().truncate(before);
}

/// The spans of the literal text of every string, template and heredoc in `body`
/// (recursively, nested blocks included), with the attribute key each belongs to. Rules
/// that look for literal values (account ids, placeholders) scan the source in these
/// spans, so text inside interpolations is never mistaken for a literal.
pub fn literal_spans(body: &Body) -> Vec<(String, Range<usize>)> {
    let mut v = LiteralSpans::default();
    v.body(body);
    v.found
}

#[derive(Default)]
struct LiteralSpans {
    key: String,
    found: Vec<(String, Range<usize>)>,
}

impl LiteralSpans {
    fn body(&mut self, body: &Body) {
        for attr in body.attributes() {
            self.key = attr.key.as_str().to_string();
            self.visit_expr(&attr.value);
        }
        for block in body.blocks() {
            self.body(&block.body);
        }
    }
}

impl Visit for LiteralSpans {
    fn visit_expr(&mut self, expr: &Expression) {
        if let Expression::String(s) = expr {
            self.found.push((self.key.clone(), span_of(s)));
            return;
        }
        if let Expression::Object(obj) = expr {
            for (k, v) in obj.iter() {
                let outer =
                    std::mem::replace(&mut self.key, object_key_text(k).unwrap_or_default());
                self.visit_expr(v.expr());
                self.key = outer;
            }
            return;
        }
        visit::visit_expr(self, expr);
    }

    fn visit_element(&mut self, element: &Element) {
        match element {
            Element::Literal(l) => self.found.push((self.key.clone(), span_of(l))),
            other => visit::visit_element(self, other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(src: &str) -> Vec<String> {
        let body = hcl_edit::parser::parse_body(src).unwrap();
        let mut c = RefCollector::default();
        c.body(&body);
        c.refs.iter().map(|r| r.target.address()).collect()
    }

    #[test]
    fn references_skip_loop_and_dynamic_iterators() {
        let src = r#"
a = "${var.x}-${local.y}"
b = [for sub_net in aws_subnet.s : sub_net.id if var.on]
c = data.aws_region.current.name
dynamic "ingress_rule" {
  for_each = var.rules
  content { port = ingress_rule.value.port }
}
d = module.m.out
e = each.value
"#;
        assert_eq!(
            refs(src),
            vec![
                "var.x",
                "local.y",
                "aws_subnet.s",
                "var.on",
                "data.aws_region.current",
                "module.m",
                "var.rules"
            ]
        );
    }
}
