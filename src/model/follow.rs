//! Following a value across module boundaries to the resources it names: a subnet list
//! passed from a VPC module's output through the root into a service module's variable is
//! still those subnets.

use hcl_edit::expr::Expression;

use super::expr::{RefCollector, Target};
use super::{BlockInfo, Model, Module};
use crate::workspace::FileId;

/// A resource and the module that declares it.
pub type Found<'m, 'a> = (&'m Module<'a>, &'m BlockInfo<'a>);

/// The resources of `types` that `expr` (in `module`, written in `file`) names, followed
/// through locals, through a child module's variable to what each of its callers passes
/// (or its default), and through `module.m.x` to the value of output `x` in the module `m`
/// calls. Every other reference must sit inside one of them (a `count.index` or a
/// variable in an index), or the value is not known: `None`, as when a call is not to a
/// local module, a variable of the root module is met, or nothing is named at all.
/// Every reference is followed, a conditional's condition and both its branches
/// included: the result can hold more resources than the value takes, which is the
/// safe side for rules that ask whether *all* of them are private or public.
pub fn resources<'m, 'a>(
    model: &'m Model<'a>,
    module: &'m Module<'a>,
    file: FileId,
    expr: &Expression,
    types: &[&str],
) -> Option<Vec<Found<'m, 'a>>> {
    let mut out = Vec::new();
    follow(model, module, file, expr, types, 0, &mut out)?;
    let mut seen = std::collections::HashSet::new();
    out.retain(|(m, b)| seen.insert((m.dir.as_str(), b.address.as_str())));
    (!out.is_empty()).then_some(out)
}

fn follow<'m, 'a>(
    model: &'m Model<'a>,
    module: &'m Module<'a>,
    file: FileId,
    expr: &Expression,
    types: &[&str],
    depth: usize,
    out: &mut Vec<Found<'m, 'a>>,
) -> Option<()> {
    if depth > 8 {
        return None;
    }
    let mut refs = RefCollector::default();
    refs.expr(expr);
    let wanted =
        |t: &Target| matches!(t, Target::Resource { ty, .. } if types.contains(&ty.as_str()));
    for r in &refs.refs {
        if wanted(&r.target) {
            out.push((module, module.block(&r.target.address())?));
            continue;
        }
        // A reference inside a wanted one: its index (`aws_subnet.a[var.az]`).
        if refs.refs.iter().any(|w| {
            wanted(&w.target)
                && w.span.start <= r.span.start
                && r.span.end <= w.span.end
                && w.span != r.span
        }) {
            continue;
        }
        match &r.target {
            Target::Local(name) => {
                let local = module.locals.iter().find(|l| l.name == *name)?;
                follow(
                    model,
                    module,
                    local.file,
                    &local.attr.value,
                    types,
                    depth + 1,
                    out,
                )?;
            }
            Target::Var(name) => {
                let mut calls = 0;
                for (caller, call) in model.callers_of(&module.dir) {
                    calls += 1;
                    match call.attr(name) {
                        Some(arg) => {
                            follow(model, caller, call.file, &arg.value, types, depth + 1, out)?
                        }
                        None => {
                            let var = module.block(&format!("var.{name}"))?;
                            let default = var.attr("default")?;
                            follow(
                                model,
                                module,
                                var.file,
                                &default.value,
                                types,
                                depth + 1,
                                out,
                            )?;
                        }
                    }
                }
                if calls == 0 {
                    return None;
                }
            }
            Target::Module(name) => {
                // `module.NAME.OUTPUT…`: the output's name is the traversal's second
                // attribute, read off the source.
                let text = model.src(file).get(r.span.clone())?;
                let output = text
                    .split('.')
                    .nth(2)?
                    .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                    .next()
                    .filter(|o| !o.is_empty())?;
                let call = module.block(&format!("module.{name}"))?;
                let child = model.called(module, call)?;
                let out_block = child.block(&format!("output.{output}"))?;
                let value = out_block.attr("value")?;
                follow(
                    model,
                    child,
                    out_block.file,
                    &value.value,
                    types,
                    depth + 1,
                    out,
                )?;
            }
            _ => return None,
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::{FileKind, SourceFile, Workspace};

    #[test]
    fn subnets_are_followed_from_an_output_through_the_root_into_a_variable() {
        let file = |path: &str, src: &str| SourceFile::new(path, FileKind::Terraform, src);
        let ws = Workspace::from_files(
            "/w",
            vec![
                file(
                    "main.tf",
                    "module \"net\" {\n  source = \"./net\"\n}\nlocals {\n  private = module.net.private_ids\n}\nmodule \"app\" {\n  source  = \"./app\"\n  subnets = local.private\n}\nmodule \"web\" {\n  source  = \"./app\"\n  subnets = [module.net.public_id]\n}\nvariable \"ids\" {}\nmodule \"other\" {\n  source  = \"./other\"\n  subnets = var.ids\n}\n",
                ),
                file(
                    "net/main.tf",
                    "resource \"aws_subnet\" \"private\" {\n  count = 2\n}\nresource \"aws_subnet\" \"public\" {}\noutput \"private_ids\" {\n  value = aws_subnet.private[*].id\n}\noutput \"public_id\" {\n  value = aws_subnet.public.id\n}\n",
                ),
                file(
                    "app/main.tf",
                    "variable \"subnets\" {}\nresource \"aws_lambda_function\" \"f\" {\n  vpc_config {\n    subnet_ids = var.subnets\n  }\n}\n",
                ),
                file(
                    "other/main.tf",
                    "variable \"subnets\" {}\nresource \"aws_lb\" \"x\" {\n  subnets = var.subnets\n}\n",
                ),
            ],
        );
        let parsed = Model::parse_all(&ws);
        let model = Model::build(&ws, &parsed);
        let named = |dir: &str, address: &str, path: &[&str]| -> Option<Vec<String>> {
            let m = model.module_at(dir).unwrap();
            let b = m.block(address).unwrap();
            let mut body = b.body();
            for name in &path[..path.len() - 1] {
                body = &body.get_blocks(name).next().unwrap().body;
            }
            let value = &body.get_attribute(path[path.len() - 1]).unwrap().value;
            resources(&model, m, b.file, value, &["aws_subnet"]).map(|v| {
                v.iter()
                    .map(|(m, b)| format!("{}:{}", m.dir, b.address))
                    .collect()
            })
        };
        // Two calls: through a local to one output, and a list of the other.
        assert_eq!(
            named(
                "app",
                "aws_lambda_function.f",
                &["vpc_config", "subnet_ids"]
            ),
            Some(vec![
                "net:aws_subnet.private".to_string(),
                "net:aws_subnet.public".to_string()
            ])
        );
        // A root variable: nothing is known.
        assert_eq!(named("other", "aws_lb.x", &["subnets"]), None);
    }
}
