//! The static types of literal expressions, and Terraform's unification of the two
//! results of a conditional (`cond ? a : b`): the type both results can be converted
//! to, or none ("Inconsistent conditional result types").
//!
//! What cannot be known without evaluating (references, most function calls, `for`
//! expressions, `null`) is `Dynamic`, which unifies with everything, so that an
//! inconsistency is only claimed where Terraform itself would find one before any value
//! is known. The unification follows Terraform's rules: objects with the same attribute
//! names unify attribute by attribute, else into a map whose element type unifies every
//! attribute type; tuples of one length unify element by element, else into a list;
//! objects never unify with tuples, nor collections with primitives; strings take
//! numbers and bools, while a number and a bool have no common type.

use std::collections::BTreeMap;

use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, UnaryOperator};

/// A static type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// Not known before evaluation; converts to anything.
    Dynamic,
    String,
    Number,
    Bool,
    Tuple(Vec<Ty>),
    Object(BTreeMap<String, Ty>),
    /// A list of one element type (the unification of tuples of different lengths).
    List(Box<Ty>),
    /// A map of one element type (the unification of objects with different attributes).
    Map(Box<Ty>),
}

impl Ty {
    /// What the type is called in a message: "a string", "an object", "a tuple".
    pub fn describe(&self) -> &'static str {
        match self {
            Ty::Dynamic => "a value",
            Ty::String => "a string",
            Ty::Number => "a number",
            Ty::Bool => "a bool",
            Ty::Tuple(_) | Ty::List(_) => "a list",
            Ty::Object(_) | Ty::Map(_) => "an object",
        }
    }
}

/// Functions whose result is always a string.
const STRING_FUNCTIONS: &[&str] = &[
    "jsonencode",
    "yamlencode",
    "format",
    "join",
    "lower",
    "upper",
    "title",
    "replace",
    "trimspace",
    "trim",
    "trimprefix",
    "trimsuffix",
    "chomp",
    "substr",
    "tostring",
    "base64encode",
    "base64decode",
    "md5",
    "sha1",
    "sha256",
    "sha512",
    "uuid",
    "timestamp",
    "formatdate",
    "file",
    "templatefile",
    "filebase64",
    "cidrhost",
    "cidrsubnet",
    "urlencode",
];

/// The static type of `expr`, with `var.x` of the type its declaration gives when
/// `vars` knows it.
pub fn of_with(expr: &Expression, vars: &dyn Fn(&str) -> Option<Ty>) -> Ty {
    let of = |e: &Expression| of_with(e, vars);
    match expr {
        // `"${x}"` alone is `x` itself, of its own type (Terraform 0.11 style).
        Expression::StringTemplate(t)
            if t.iter().count() == 1
                && matches!(
                    t.iter().next(),
                    Some(hcl_edit::template::Element::Interpolation(_))
                ) =>
        {
            match t.iter().next() {
                Some(hcl_edit::template::Element::Interpolation(i)) => of(&i.expr),
                _ => Ty::Dynamic,
            }
        }
        Expression::String(_) | Expression::StringTemplate(_) | Expression::HeredocTemplate(_) => {
            Ty::String
        }
        Expression::Number(_) => Ty::Number,
        Expression::Bool(_) => Ty::Bool,
        Expression::Null(_) => Ty::Dynamic,
        Expression::Parenthesis(p) => of(p.inner()),
        Expression::Array(items) => Ty::Tuple(items.iter().map(of).collect()),
        Expression::Object(object) => {
            let mut attrs = BTreeMap::new();
            for (key, value) in object.iter() {
                let name = match key {
                    ObjectKey::Ident(i) => i.as_str().to_string(),
                    ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                    // A computed key: the attribute names are not known.
                    ObjectKey::Expression(_) => return Ty::Dynamic,
                };
                attrs.insert(name, of(value.expr()));
            }
            Ty::Object(attrs)
        }
        Expression::FuncCall(call) => {
            let name = call.name.name.as_str();
            if !call.name.namespace.is_empty() {
                Ty::Dynamic
            } else if STRING_FUNCTIONS.contains(&name) {
                Ty::String
            } else if name == "length" {
                Ty::Number
            } else {
                Ty::Dynamic
            }
        }
        Expression::UnaryOp(op) => match op.operator.value() {
            UnaryOperator::Not => Ty::Bool,
            UnaryOperator::Neg => Ty::Number,
        },
        Expression::BinaryOp(op) => match op.operator.value() {
            BinaryOperator::Plus
            | BinaryOperator::Minus
            | BinaryOperator::Mul
            | BinaryOperator::Div
            | BinaryOperator::Mod => Ty::Number,
            _ => Ty::Bool,
        },
        Expression::Conditional(c) => {
            unify(&[of(&c.true_expr), of(&c.false_expr)]).unwrap_or(Ty::Dynamic)
        }
        // `var.x` itself; `var.x[0]`, `var.x.y` and splats are other values.
        Expression::Traversal(t) => match (&t.expr, t.operators.as_slice()) {
            (Expression::Variable(root), [op]) if root.as_str() == "var" => match op.value() {
                hcl_edit::expr::TraversalOperator::GetAttr(name) => {
                    vars(name.as_str()).unwrap_or(Ty::Dynamic)
                }
                _ => Ty::Dynamic,
            },
            _ => Ty::Dynamic,
        },
        _ => Ty::Dynamic,
    }
}

/// The static type of `expr`, references unknown.
pub fn of(expr: &Expression) -> Ty {
    of_with(expr, &|_| None)
}

/// The type a variable's `type` constraint gives its value: `string`, `list(string)`,
/// `object({ a = number })`; `Dynamic` for `any` and what is not understood.
pub fn constraint(expr: &Expression) -> Ty {
    match expr {
        Expression::Variable(v) => match v.as_str() {
            "string" => Ty::String,
            "number" => Ty::Number,
            "bool" => Ty::Bool,
            _ => Ty::Dynamic,
        },
        Expression::FuncCall(call) if call.name.namespace.is_empty() => {
            let args: Vec<&Expression> = call.args.iter().collect();
            match (call.name.name.as_str(), args.as_slice()) {
                ("list" | "set", [t]) => Ty::List(Box::new(constraint(t))),
                ("map", [t]) => Ty::Map(Box::new(constraint(t))),
                ("optional", [t, ..]) => constraint(t),
                ("tuple", [Expression::Array(items)]) => {
                    Ty::Tuple(items.iter().map(constraint).collect())
                }
                ("object", [Expression::Object(object)]) => {
                    let mut attrs = BTreeMap::new();
                    for (key, value) in object.iter() {
                        let ObjectKey::Ident(name) = key else {
                            return Ty::Dynamic;
                        };
                        attrs.insert(name.as_str().to_string(), constraint(value.expr()));
                    }
                    Ty::Object(attrs)
                }
                _ => Ty::Dynamic,
            }
        }
        _ => Ty::Dynamic,
    }
}

/// The type all of `types` convert to, as Terraform unifies them; `None` when there is
/// none.
pub fn unify(types: &[Ty]) -> Option<Ty> {
    let known: Vec<&Ty> = types.iter().filter(|t| **t != Ty::Dynamic).collect();
    let Some(first) = known.first() else {
        return Some(Ty::Dynamic);
    };
    if known.iter().all(|t| t == first) {
        return Some((*first).clone());
    }
    let objects = known.iter().filter(|t| matches!(t, Ty::Object(_))).count();
    let tuples = known.iter().filter(|t| matches!(t, Ty::Tuple(_))).count();
    if objects > 0 && tuples > 0 {
        return None;
    }
    if objects == known.len() {
        return unify_objects(&known);
    }
    if tuples == known.len() {
        return unify_tuples(&known);
    }
    // Otherwise one of the types must take all the others.
    known
        .iter()
        .find(|want| known.iter().all(|t| converts(t, want)))
        .map(|t| (*t).clone())
}

fn unify_objects(types: &[&Ty]) -> Option<Ty> {
    let attrs: Vec<&BTreeMap<String, Ty>> = types
        .iter()
        .filter_map(|t| match t {
            Ty::Object(a) => Some(a),
            _ => None,
        })
        .collect();
    let first = attrs.first()?;
    let same_names = attrs
        .iter()
        .all(|a| a.len() == first.len() && a.keys().all(|k| first.contains_key(k)));
    if same_names {
        let mut out = BTreeMap::new();
        for name in first.keys() {
            let across: Vec<Ty> = attrs.iter().filter_map(|a| a.get(name).cloned()).collect();
            out.insert(name.clone(), unify(&across)?);
        }
        return Some(Ty::Object(out));
    }
    let all: Vec<Ty> = attrs.iter().flat_map(|a| a.values().cloned()).collect();
    Some(Ty::Map(Box::new(unify(&all)?)))
}

fn unify_tuples(types: &[&Ty]) -> Option<Ty> {
    let elems: Vec<&Vec<Ty>> = types
        .iter()
        .filter_map(|t| match t {
            Ty::Tuple(e) => Some(e),
            _ => None,
        })
        .collect();
    let first = elems.first()?;
    if elems.iter().all(|e| e.len() == first.len()) {
        let mut out = Vec::new();
        for i in 0..first.len() {
            let across: Vec<Ty> = elems.iter().filter_map(|e| e.get(i).cloned()).collect();
            out.push(unify(&across)?);
        }
        return Some(Ty::Tuple(out));
    }
    let all: Vec<Ty> = elems.iter().flat_map(|e| e.iter().cloned()).collect();
    Some(Ty::List(Box::new(unify(&all)?)))
}

/// Whether a value of type `from` converts to `to` (Terraform's conversions, the unsafe
/// ones included: a string may turn into a number or a bool when its value allows).
fn converts(from: &Ty, to: &Ty) -> bool {
    match (from, to) {
        (Ty::Dynamic, _) | (_, Ty::Dynamic) => true,
        (a, b) if a == b => true,
        (Ty::Number | Ty::Bool, Ty::String) => true,
        (Ty::String, Ty::Number | Ty::Bool) => true,
        (Ty::Tuple(e), Ty::List(t)) => e.iter().all(|x| converts(x, t)),
        (Ty::List(a), Ty::List(b)) | (Ty::Map(a), Ty::Map(b)) => converts(a, b),
        (Ty::Object(attrs), Ty::Map(t)) => attrs.values().all(|x| converts(x, t)),
        (Ty::Tuple(a), Ty::Tuple(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| converts(x, y))
        }
        (Ty::Object(a), Ty::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, x)| b.get(k).is_some_and(|y| converts(x, y)))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(src: &str) -> Ty {
        let body: hcl_edit::structure::Body = format!("x = {src}\n").parse().unwrap();
        of(&body.get_attribute("x").unwrap().value)
    }

    fn consistent(a: &str, b: &str) -> bool {
        unify(&[ty(a), ty(b)]).is_some()
    }

    #[test]
    fn declared_types_are_read() {
        let body: hcl_edit::structure::Body =
            "a = list(string)\nb = object({ x = number, y = optional(string) })\nc = any\n"
                .parse()
                .unwrap();
        let c = |k: &str| constraint(&body.get_attribute(k).unwrap().value);
        assert_eq!(c("a"), Ty::List(Box::new(Ty::String)));
        assert_eq!(
            c("b"),
            Ty::Object(BTreeMap::from([
                ("x".to_string(), Ty::Number),
                ("y".to_string(), Ty::String)
            ]))
        );
        assert_eq!(c("c"), Ty::Dynamic);
        // A list variable against a string: no common type; against a tuple: a list.
        let list = Ty::List(Box::new(Ty::String));
        assert!(unify(&[list.clone(), Ty::String]).is_none());
        assert!(unify(&[list, ty("[\"0.0.0.0/0\"]")]).is_some());
        // An element of a list variable is not the list.
        let body: hcl_edit::structure::Body = "x = var.names[0]\ny = var.names\n".parse().unwrap();
        let vars = |_: &str| Some(Ty::List(Box::new(Ty::String)));
        assert_eq!(
            of_with(&body.get_attribute("x").unwrap().value, &vars),
            Ty::Dynamic
        );
        assert_eq!(
            of_with(&body.get_attribute("y").unwrap().value, &vars),
            Ty::List(Box::new(Ty::String))
        );
    }

    /// Each pair as `terraform validate` (1.11) judges it.
    #[test]
    fn unification_follows_terraform() {
        let ok = [
            ("{ a = 1 }", "{}"),
            ("{ a = 1 }", "{ b = 2 }"),
            ("[1]", "[]"),
            ("{ a = \"x\" }", "null"),
            ("{ a = 1 }", "{ a = \"x\" }"),
            ("\"a\"", "true"),
            ("\"1\"", "2"),
            ("[1]", "[\"a\"]"),
            ("[1, \"a\"]", "[\"b\"]"),
            ("{ a = 1, b = [1] }", "var.x"),
            ("{ a = [1] }", "{}"),
            ("{ a = [1], b = [\"x\"] }", "{}"),
            ("{ a = [1], b = [] }", "{}"),
            ("[{ a = 1 }]", "[{ b = 2 }]"),
            ("\"${var.ids}\"", "[]"),
        ];
        let inconsistent = [
            ("[\"x\"]", "\"y\""),
            ("[\"a\"]", "{}"),
            ("{ a = 1 }", "\"s\""),
            ("{ a = 1 }", "{ a = [1] }"),
            ("[{ a = 1 }]", "[{ a = [1] }]"),
            ("{ a = { x = 1 } }", "{ a = \"s\" }"),
            ("{ a = 1, b = [1] }", "{ a = 2 }"),
            ("[\"a\", \"b\"]", "[[\"a\"]]"),
            ("1", "[1]"),
            ("{ Action = \"s3:*\" }", "{ Action = [\"s3:Get*\"] }"),
            ("[]", "{}"),
            ("1", "true"),
            ("{ a = 1 }", "{ a = true }"),
            ("[1, [1]]", "[]"),
            ("jsonencode({ a = 1 })", "{ a = 1 }"),
            ("[1, 2]", "[true, false]"),
        ];
        for (a, b) in ok {
            assert!(consistent(a, b), "{a} : {b} should unify");
        }
        for (a, b) in inconsistent {
            assert!(!consistent(a, b), "{a} : {b} should not unify");
        }
    }
}
