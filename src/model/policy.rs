//! IAM and KMS policy documents, normalised to statements with spans, from the three
//! ways Terraform code writes them: `jsonencode({...})`, heredoc JSON, and
//! `data "aws_iam_policy_document"` blocks.

use std::ops::Range;

use hcl_edit::expr::Expression;
use hcl_edit::structure::Block;
use hcl_edit::template::Element;

use super::expr::{object_get, object_key_text, span_of, string_like, string_list};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyForm {
    JsonEncode,
    Heredoc,
    Document,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Statement {
    /// The whole statement: the object literal, the `statement` block, or (heredoc) the
    /// heredoc itself.
    pub span: Range<usize>,
    pub sid: Option<String>,
    pub effect: Option<String>,
    /// `(kind, values)`: kind is `AWS`, `Service`, `Federated`, `CanonicalUser` or `*`.
    pub principals: Vec<(String, Vec<String>)>,
    pub actions: Vec<String>,
    pub not_actions: Vec<String>,
    pub resources: Vec<String>,
    /// Where the actions and the resources are written (`Action = …`, `actions = …`), for
    /// findings about them; `None` in a JSON heredoc.
    pub action_span: Option<Range<usize>>,
    pub resource_span: Option<Range<usize>>,
    pub conditions: Vec<Condition>,
    /// The span of the `Condition = {...}` attribute or of the `condition` blocks.
    pub condition_span: Option<Range<usize>>,
}

impl Statement {
    pub fn allows(&self) -> bool {
        self.effect
            .as_deref()
            .is_none_or(|e| e.eq_ignore_ascii_case("allow"))
    }

    pub fn denies(&self) -> bool {
        self.effect
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case("deny"))
    }

    /// Service principals named by the statement.
    pub fn services(&self) -> impl Iterator<Item = &str> {
        self.principals
            .iter()
            .filter(|(kind, _)| kind == "Service")
            .flat_map(|(_, values)| values.iter().map(String::as_str))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub form: PolicyForm,
    /// The attribute that holds the policy (`policy`, `assume_role_policy`); empty for a
    /// policy document data source.
    pub attr: String,
    /// The policy expression or the data block.
    pub span: Range<usize>,
    pub statements: Vec<Statement>,
    /// Whether every statement could be read (no `concat`, `for`, or non-literal parts).
    pub complete: bool,
}

/// Actions AWS authorises only on `Resource = "*"`.
const RESOURCELESS: &[&str] = &[
    "xray:puttracesegments",
    "xray:puttelemetryrecords",
    "cloudwatch:putmetricdata",
    "ec2:createnetworkinterface",
    "ec2:deletenetworkinterface",
    "ec2:assignprivateipaddresses",
    "ec2:unassignprivateipaddresses",
    "ecr:getauthorizationtoken",
    "ssm:getparameters",
    "sts:getcalleridentity",
];

const READ_VERBS: &[&str] = &[
    "get",
    "list",
    "describe",
    "head",
    "batchget",
    "query",
    "scan",
    "search",
    "select",
    "view",
    "lookup",
    "filter",
    "validate",
    "check",
    "retrieve",
    "test",
    "estimate",
    "simulate",
    "decode",
    "generatecredentialreport",
    "read",
];

/// Whether an IAM action pattern (`kms:*`, `kms:GenerateDataKey*`, `*`) covers `action`;
/// case-insensitive, `*` matches any run and `?` any one character.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    // The usual two-pointer wildcard match: linear backtracking to the last `*`.
    let (p, a) = (pattern.as_bytes(), action.as_bytes());
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < a.len() {
        if i < p.len() && (p[i] == b'?' || p[i].eq_ignore_ascii_case(&a[j])) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == b'*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == b'*')
}

/// Whether a `Resource` names every resource of a service: `*`, or an ARN whose resource
/// part is `*` (`arn:aws:logs:*:*:*`, `arn:aws:s3:::*`, `arn:aws:logs:${region}:${account}:*`).
pub fn is_every_resource(resource: &str) -> bool {
    if resource == "*" {
        return true;
    }
    if !resource.starts_with("arn:") {
        return false;
    }
    // Interpolations may hold colons: split outside them only.
    let mut depth = 0i32;
    let mut fields = vec![String::new()];
    for c in resource.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ':' if depth == 0 => {
                fields.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = fields.last_mut() {
            last.push(c);
        }
    }
    fields.len() >= 6 && fields[5..].join(":") == "*"
}

/// Whether an action (possibly with wildcards) includes write actions.
pub fn is_write(action: &str) -> bool {
    let lower = action.to_ascii_lowercase();
    if lower.contains("${") || RESOURCELESS.contains(&lower.as_str()) {
        return false;
    }
    let Some((_, verb)) = lower.split_once(':') else {
        return false;
    };
    if verb.starts_with('*') {
        return true;
    }
    !READ_VERBS.iter().any(|r| verb.starts_with(r))
}

/// Reads a policy from an attribute value, if it is one.
pub fn policy_from_expr(src: &str, attr: &str, expr: &Expression) -> Option<Policy> {
    match expr {
        Expression::FuncCall(call)
            if call.name.name.as_str() == "jsonencode" && call.name.namespace.is_empty() =>
        {
            let Some(Expression::Object(obj)) = call.args.iter().next() else {
                return None;
            };
            let (_, statements) = object_get(obj, "Statement")?;
            let (statements, complete) = match statements.expr() {
                Expression::Array(items) => {
                    let mut complete = true;
                    let mut out = Vec::new();
                    for item in items.iter() {
                        match statement_from_hcl(src, item) {
                            Some(s) => out.push(s),
                            None => complete = false,
                        }
                    }
                    (out, complete)
                }
                single @ Expression::Object(_) => {
                    (statement_from_hcl(src, single).into_iter().collect(), true)
                }
                _ => (Vec::new(), false),
            };
            Some(Policy {
                form: PolicyForm::JsonEncode,
                attr: attr.to_string(),
                span: span_of(expr),
                statements,
                complete,
            })
        }
        Expression::HeredocTemplate(heredoc) => {
            let mut text = String::new();
            for element in heredoc.template.iter() {
                match element {
                    Element::Literal(l) => text.push_str(l.value()),
                    other => text.push_str(src.get(span_of(other)).unwrap_or("")),
                }
            }
            policy_from_json(src, attr, span_of(expr), &text)
        }
        _ => None,
    }
}

fn policy_from_json(src: &str, attr: &str, span: Range<usize>, text: &str) -> Option<Policy> {
    let value: serde_json::Value = serde_json::from_str(text.trim()).ok()?;
    let statements = value.get("Statement")?;
    let items: Vec<&serde_json::Value> = match statements {
        serde_json::Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let raw = src.get(span.clone()).unwrap_or("");
    let mut out = Vec::new();
    for item in items {
        let mut st = Statement {
            span: span.clone(),
            ..Statement::default()
        };
        let Some(obj) = item.as_object() else {
            continue;
        };
        for (k, v) in obj {
            fill_from_json(&mut st, k, v, &span);
        }
        if let Some(sid) = &st.sid
            && let Some(at) = raw.find(&format!("\"{sid}\""))
        {
            // Point at the Sid inside the heredoc: the best place we can name.
            st.span = span.start + at..span.start + at + sid.len() + 2;
        }
        out.push(st);
    }
    Some(Policy {
        form: PolicyForm::Heredoc,
        attr: attr.to_string(),
        span,
        statements: out,
        complete: true,
    })
}

fn json_strings(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(a) => a.iter().flat_map(json_strings).collect(),
        other => vec![other.to_string()],
    }
}

fn fill_from_json(st: &mut Statement, key: &str, v: &serde_json::Value, span: &Range<usize>) {
    match key {
        "Sid" => st.sid = v.as_str().map(str::to_string),
        "Effect" => st.effect = v.as_str().map(str::to_string),
        "Action" => st.actions = json_strings(v),
        "NotAction" => st.not_actions = json_strings(v),
        "Resource" => st.resources = json_strings(v),
        "Principal" => match v {
            serde_json::Value::Object(map) => {
                for (kind, values) in map {
                    st.principals.push((kind.clone(), json_strings(values)));
                }
            }
            other => st.principals.push(("*".into(), json_strings(other))),
        },
        "Condition" => {
            st.condition_span = Some(span.clone());
            if let Some(ops) = v.as_object() {
                for (op, keys) in ops {
                    for (ck, cv) in keys.as_object().into_iter().flatten() {
                        st.conditions.push(Condition {
                            operator: op.clone(),
                            key: ck.clone(),
                            values: json_strings(cv),
                            span: span.clone(),
                        });
                    }
                }
            }
        }
        _ => {}
    }
}

fn statement_from_hcl(src: &str, expr: &Expression) -> Option<Statement> {
    let Expression::Object(obj) = expr else {
        return None;
    };
    let mut st = Statement {
        span: span_of(expr),
        ..Statement::default()
    };
    for (key, value) in obj.iter() {
        let Some(key) = object_key_text(key) else {
            continue;
        };
        let v = value.expr();
        match key.as_str() {
            "Sid" => st.sid = Some(string_like(src, v)),
            "Effect" => st.effect = Some(string_like(src, v)),
            "Action" => {
                st.actions = string_list(src, v);
                st.action_span = Some(span_of(v));
            }
            "NotAction" => st.not_actions = string_list(src, v),
            "Resource" => {
                st.resources = string_list(src, v);
                st.resource_span = Some(span_of(v));
            }
            "Principal" => match v {
                Expression::Object(p) => {
                    for (kind, values) in p.iter() {
                        if let Some(kind) = object_key_text(kind) {
                            st.principals.push((kind, string_list(src, values.expr())));
                        }
                    }
                }
                other => st.principals.push(("*".into(), string_list(src, other))),
            },
            "Condition" => {
                let start = obj
                    .iter()
                    .find(|(k, _)| object_key_text(k).as_deref() == Some("Condition"))
                    .map_or(span_of(v).start, |(k, _)| span_of(k).start);
                st.condition_span = Some(start..span_of(v).end);
                if let Expression::Object(ops) = v {
                    for (op, keys) in ops.iter() {
                        let Some(op) = object_key_text(op) else {
                            continue;
                        };
                        let Expression::Object(keys) = keys.expr() else {
                            continue;
                        };
                        for (key_node, cv) in keys.iter() {
                            let Some(ck) = object_key_text(key_node) else {
                                continue;
                            };
                            st.conditions.push(Condition {
                                operator: op.clone(),
                                key: ck,
                                values: string_list(src, cv.expr()),
                                span: span_of(key_node).start..span_of(cv.expr()).end,
                            });
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Some(st)
}

/// Reads a `data "aws_iam_policy_document"` block.
pub fn policy_from_document(src: &str, block: &Block) -> Policy {
    let mut statements = Vec::new();
    for sb in block.body.get_blocks("statement") {
        let mut st = Statement {
            span: span_of(sb),
            ..Statement::default()
        };
        let attr = |name: &str| sb.body.get_attribute(name).map(|a| &a.value);
        st.sid = attr("sid").map(|v| string_like(src, v));
        st.effect = attr("effect").map(|v| string_like(src, v));
        st.actions = attr("actions").map_or_else(Vec::new, |v| string_list(src, v));
        st.action_span = attr("actions").map(span_of);
        st.not_actions = attr("not_actions").map_or_else(Vec::new, |v| string_list(src, v));
        st.resources = attr("resources").map_or_else(Vec::new, |v| string_list(src, v));
        st.resource_span = attr("resources").map(span_of);
        for pb in sb.body.get_blocks("principals") {
            let kind = pb
                .body
                .get_attribute("type")
                .map_or_else(String::new, |a| string_like(src, &a.value));
            let ids = pb
                .body
                .get_attribute("identifiers")
                .map_or_else(Vec::new, |a| string_list(src, &a.value));
            st.principals.push((kind, ids));
        }
        let mut cond_span: Option<Range<usize>> = None;
        for cb in sb.body.get_blocks("condition") {
            let span = span_of(cb);
            cond_span = Some(match cond_span {
                Some(s) => s.start.min(span.start)..s.end.max(span.end),
                None => span.clone(),
            });
            let get = |name: &str| cb.body.get_attribute(name).map(|a| &a.value);
            st.conditions.push(Condition {
                operator: get("test").map_or_else(String::new, |v| string_like(src, v)),
                key: get("variable").map_or_else(String::new, |v| string_like(src, v)),
                values: get("values").map_or_else(Vec::new, |v| string_list(src, v)),
                span,
            });
        }
        st.condition_span = cond_span;
        statements.push(st);
    }
    Policy {
        form: PolicyForm::Document,
        attr: String::new(),
        span: span_of(block),
        statements,
        complete: block
            .body
            .get_attribute("source_policy_documents")
            .is_none()
            && block
                .body
                .get_attribute("override_policy_documents")
                .is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_resource_is_a_star_in_the_resource_part() {
        assert!(is_every_resource("*"));
        assert!(is_every_resource("arn:aws:logs:*:*:*"));
        assert!(is_every_resource("arn:aws:s3:::*"));
        assert!(is_every_resource(
            "arn:aws:logs:${var.region}:${data.x.y.account_id}:*"
        ));
        assert!(!is_every_resource(
            "arn:aws:logs:*:*:log-group:/aws/lambda/*"
        ));
        assert!(!is_every_resource("arn:aws:s3:::bucket/*"));
    }

    fn policy(src: &str) -> Policy {
        let body = hcl_edit::parser::parse_body(src).unwrap();
        let attr = body.attributes().next().unwrap();
        policy_from_expr(src, "policy", &attr.value).unwrap()
    }

    #[test]
    fn jsonencode_statements_are_normalised_with_spans() {
        let src = r#"policy = jsonencode({
  Version = "2012-10-17"
  Statement = [{
    Sid = "DenyOutsideHours"
    Effect = "Deny"
    Action = ["iam:DeleteRole", "kms:*"]
    Resource = "*"
    Principal = { Service = "logs.${var.region}.amazonaws.com" }
    Condition = { StringNotLike = { "aws:RequestedRegion" = "us-east-1" } }
  }]
})"#;
        let p = policy(src);
        assert_eq!(p.form, PolicyForm::JsonEncode);
        let st = &p.statements[0];
        assert_eq!(st.sid.as_deref(), Some("DenyOutsideHours"));
        assert!(st.denies());
        assert_eq!(st.actions, vec!["iam:DeleteRole", "kms:*"]);
        assert_eq!(
            st.services().collect::<Vec<_>>(),
            vec!["logs.${var.region}.amazonaws.com"]
        );
        assert_eq!(st.conditions[0].key, "aws:RequestedRegion");
        assert_eq!(st.conditions[0].operator, "StringNotLike");
        assert!(src[st.span.clone()].starts_with('{'));
        assert!(src[st.condition_span.clone().unwrap()].starts_with("Condition"));
    }

    #[test]
    fn heredoc_json_is_read_and_points_at_the_sid() {
        let src = "policy = <<EOF\n{\"Statement\": [{\"Sid\": \"A\", \"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:${var.x}\"}]}\nEOF\n";
        let p = policy(src);
        assert_eq!(p.form, PolicyForm::Heredoc);
        assert_eq!(&src[p.statements[0].span.clone()], "\"A\"");
        assert_eq!(p.statements[0].resources, vec!["arn:${var.x}"]);
    }
}
