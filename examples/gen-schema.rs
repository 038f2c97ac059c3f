//! Generates the compact provider schemas under `schemas/` from the `.jsii` of the cdktf
//! provider packages (`npm pack @cdktf/provider-aws@19.65.1`, unpacked).
//!
//! ```text
//! cargo run --release --example gen-schema -- OUT_DIR PACKAGE_DIR...
//! ```
//! Each `PACKAGE_DIR` holds `.jsii` and `package.json` (the `package/` folder of the
//! tarball); each writes `OUT_DIR/<provider>-<version>.json.gz`. `tools/gen-schemas.sh`
//! does the `npm pack` and calls this. The output is deterministic: the same package gives
//! the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::Value;
use tfreview::model::schema::types::{
    ArgSchema, BlockSchema, NestedBlock, Nesting, ProviderSchema,
};

/// Meta-arguments, dropped at the top level of a resource or data source only.
const META: &[&str] = &[
    "count",
    "for_each",
    "depends_on",
    "provider",
    "lifecycle",
    "connection",
    "provisioner",
    "provisioners",
];

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((out, packages)) = args.split_first() else {
        bail!("usage: gen-schema OUT_DIR PACKAGE_DIR...");
    };
    if packages.is_empty() {
        bail!("usage: gen-schema OUT_DIR PACKAGE_DIR...");
    }
    std::fs::create_dir_all(out)?;
    for dir in packages {
        let schema = convert(Path::new(dir))?;
        let json = serde_json::to_vec(&schema)?;
        let path =
            PathBuf::from(out).join(format!("{}-{}.json.gz", schema.provider, schema.version));
        let mut gz = flate2::GzBuilder::new().write(Vec::new(), flate2::Compression::best());
        gz.write_all(&json)?;
        let bytes = gz.finish()?;
        std::fs::write(&path, &bytes)?;
        eprintln!(
            "{}: {} resources, {} data sources, {} bytes JSON, {} bytes gzipped",
            path.display(),
            schema.resources.len(),
            schema.data_sources.len(),
            json.len(),
            bytes.len()
        );
    }
    Ok(())
}

fn convert(dir: &Path) -> Result<ProviderSchema> {
    let package: Value = serde_json::from_slice(&std::fs::read(dir.join("package.json"))?)?;
    let source = package["cdktf"]["provider"]["name"]
        .as_str()
        .context("package.json has no cdktf.provider.name")?
        .to_string();
    let version = package["cdktf"]["provider"]["version"]
        .as_str()
        .context("package.json has no cdktf.provider.version")?
        .to_string();
    let provider = source.rsplit('/').next().unwrap_or(&source).to_string();
    let package_name = package["name"].as_str().unwrap_or("").to_string();
    let package_version = package["version"].as_str().unwrap_or("").to_string();
    eprintln!("reading {}", dir.join(".jsii").display());
    let jsii: Value = serde_json::from_slice(&std::fs::read(dir.join(".jsii"))?)?;
    let types = jsii["types"].as_object().context(".jsii has no types")?;
    let mut schema = ProviderSchema {
        licence: format!(
            "MPL-2.0: converted from the .jsii of the npm package {package_name}@{package_version} (MPL-2.0), generated from the schema of {source} {version} (MPL-2.0)"
        ),
        provider,
        source,
        version,
        package: package_name,
        package_version,
        ..Default::default()
    };
    let conv = Converter { types };
    for class in types.values() {
        // `cdktf.` in @cdktf packages, `cdktn.` in the fork @cdktn.
        let base = class["base"].as_str().unwrap_or("");
        let data = match base.split_once('.').map(|(_, b)| b) {
            Some("TerraformResource") => false,
            Some("TerraformDataSource") => true,
            _ => continue,
        };
        let summary = class["docs"]["summary"].as_str().unwrap_or("");
        let Some((url, name)) = link(summary) else {
            bail!("no type link in {summary}");
        };
        if url.contains("/docs/data-sources/") != data {
            bail!("{name}: link {url} disagrees with the base class");
        }
        let Some(config) = class["initializer"]["parameters"]
            .as_array()
            .and_then(|p| p.last())
            .and_then(|p| p["type"]["fqn"].as_str())
        else {
            bail!("{name}: no config struct");
        };
        let mut block = conv.block(config, true, &mut Vec::new())?;
        // Getters of the class that are not arguments: the computed-only attributes.
        let config_props: BTreeSet<&str> = conv
            .props(config)
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        // The exact attribute names the getters read, from the compiled class: camelCase
        // loses where an underscore stood next to a digit (`output_base64sha256`).
        let names = getter_attributes(dir, class)?;
        let mut computed = BTreeSet::new();
        for p in class["properties"].as_array().into_iter().flatten() {
            let Some(camel) = p["name"].as_str() else {
                continue;
            };
            if p["static"].as_bool() == Some(true)
                || camel.ends_with("Input")
                || config_props.contains(camel)
            {
                continue;
            }
            let snake = names.get(camel).cloned().unwrap_or_else(|| snake(camel));
            if !block.args.contains_key(&snake) && !block.blocks.contains_key(&snake) {
                computed.insert(snake);
            }
        }
        block.computed = computed.into_iter().collect();
        let map = if data {
            &mut schema.data_sources
        } else {
            &mut schema.resources
        };
        map.insert(name.to_string(), block);
    }
    Ok(schema)
}

struct Converter<'a> {
    types: &'a serde_json::Map<String, Value>,
}

impl Converter<'_> {
    fn props(&self, fqn: &str) -> &[Value] {
        self.types
            .get(fqn)
            .and_then(|t| t["properties"].as_array())
            .map_or(&[], |v| v.as_slice())
    }

    fn is_struct(&self, fqn: &str) -> bool {
        self.types
            .get(fqn)
            .is_some_and(|t| t["datatype"].as_bool() == Some(true))
    }

    /// `path`: the structs this one is nested in; a struct that contains itself
    /// (wafv2 `statement`) becomes an opaque block there.
    fn block(&self, fqn: &str, top: bool, path: &mut Vec<String>) -> Result<BlockSchema> {
        if path.len() > 32 {
            bail!("{fqn}: nesting deeper than 32");
        }
        path.push(fqn.to_string());
        let mut out = BlockSchema::default();
        for p in self.props(fqn) {
            let camel = p["name"].as_str().unwrap_or("");
            let docs = &p["docs"];
            let summary = docs["summary"].as_str().unwrap_or("");
            let remarks = docs["remarks"].as_str().unwrap_or("");
            // The real name is the docs anchor: cdktf renames names that clash.
            let name = link(summary)
                .or_else(|| link(remarks))
                .and_then(|(url, _)| url.rsplit_once('#').map(|(_, a)| a.to_string()))
                .unwrap_or_else(|| snake(camel));
            if top && META.contains(&name.as_str()) {
                continue;
            }
            let required = p["optional"].as_bool() != Some(true);
            let ty = &p["type"];
            let is_block = summary.trim() == format!("{name} block.");
            if is_block {
                let nested = match self.struct_of(ty) {
                    Some((inner, list)) if !path.iter().any(|p| p == inner) => NestedBlock {
                        nesting: if list { Nesting::List } else { Nesting::Single },
                        min: u32::from(required),
                        opaque: false,
                        block: self.block(inner, false, path)?,
                    },
                    _ => NestedBlock {
                        nesting: Nesting::List,
                        min: 0,
                        opaque: true,
                        block: BlockSchema::default(),
                    },
                };
                out.blocks.insert(name, nested);
            } else {
                out.args.insert(
                    name,
                    ArgSchema {
                        ty: self.coarse(ty),
                        required,
                    },
                );
            }
        }
        path.pop();
        Ok(out)
    }

    /// `S` → `(S, false)`; `array<S>` (or its union with `IResolvable`) → `(S, true)`.
    fn struct_of<'v>(&self, ty: &'v Value) -> Option<(&'v str, bool)> {
        if let Some(fqn) = ty["fqn"].as_str() {
            return self.is_struct(fqn).then_some((fqn, false));
        }
        if let Some(c) = ty.get("collection") {
            if c["kind"].as_str() == Some("array") {
                let fqn = c["elementtype"]["fqn"].as_str()?;
                return self.is_struct(fqn).then_some((fqn, true));
            }
            return None;
        }
        let members = ty["union"]["types"].as_array()?;
        let mut real = members.iter().filter(|m| !is_resolvable(m));
        let only = real.next()?;
        if real.next().is_some() {
            return None;
        }
        self.struct_of(only)
    }

    fn coarse(&self, ty: &Value) -> String {
        if let Some(p) = ty["primitive"].as_str() {
            return match p {
                "boolean" => "bool".to_string(),
                "json" => "string".to_string(),
                other => other.to_string(),
            };
        }
        if let Some(fqn) = ty["fqn"].as_str() {
            return if self.is_struct(fqn) { "object" } else { "any" }.to_string();
        }
        if let Some(c) = ty.get("collection") {
            let inner = self.coarse(&c["elementtype"]);
            return match c["kind"].as_str() {
                Some("map") => format!("map({inner})"),
                _ => format!("list({inner})"),
            };
        }
        if let Some(members) = ty["union"]["types"].as_array() {
            let real: Vec<&Value> = members.iter().filter(|m| !is_resolvable(m)).collect();
            if let [only] = real.as_slice() {
                return self.coarse(only);
            }
        }
        "any".to_string()
    }
}

fn is_resolvable(ty: &Value) -> bool {
    ty["fqn"]
        .as_str()
        .is_some_and(|f| f.starts_with("cdktf.") || f.starts_with("cdktn."))
}

/// `{@link URL NAME}` → `(URL, NAME)`.
fn link(text: &str) -> Option<(&str, &str)> {
    let start = text.find("{@link ")? + "{@link ".len();
    let rest = &text[start..];
    let end = rest.find('}')?;
    let mut parts = rest[..end].split_whitespace();
    Some((parts.next()?, parts.next()?))
}

/// The attribute each getter of a resource or data source class reads
/// (`outputBase64Sha256` → `output_base64sha256`), from the class's compiled JavaScript
/// (`lib/<module>/index.js`, next to the `.jsii`): `get x() { return
/// this.getStringAttribute('x_y'); }`.
fn getter_attributes(dir: &Path, class: &Value) -> Result<BTreeMap<String, String>> {
    let name = class["name"].as_str().context("class without a name")?;
    let ts = class["locationInModule"]["filename"]
        .as_str()
        .with_context(|| format!("{name}: no locationInModule"))?;
    let js_path = dir.join(
        ts.strip_prefix("src/")
            .map(|rest| format!("lib/{}", rest.replace(".ts", ".js")))
            .with_context(|| format!("{name}: unexpected source {ts}"))?,
    );
    let js = std::fs::read_to_string(&js_path).with_context(|| {
        format!(
            "{}: the package's compiled JavaScript is needed (tools/gen-schemas.sh extracts it)",
            js_path.display()
        )
    })?;
    let start = js
        .find(&format!("\nclass {name} extends"))
        .with_context(|| format!("{name}: class not found in {}", js_path.display()))?;
    let section = &js[start + 1..];
    let section = &section[..section.find("\nclass ").unwrap_or(section.len())];
    let mut out = BTreeMap::new();
    let mut rest = section;
    while let Some(i) = rest.find("    get ") {
        rest = &rest[i + "    get ".len()..];
        let Some(paren) = rest.find("() {") else {
            break;
        };
        let getter = &rest[..paren];
        let body = &rest[paren
            ..rest[paren..]
                .find("\n    }")
                .map_or(rest.len(), |e| paren + e)];
        if getter
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
            && let Some(a) = body.find("Attribute('")
        {
            let attr = &body[a + "Attribute('".len()..];
            if let Some(end) = attr.find('\'') {
                out.insert(getter.to_string(), attr[..end].to_string());
            }
        }
    }
    Ok(out)
}

/// `arnSuffix` → `arn_suffix`: for a getter that reads no attribute of its own.
fn snake(camel: &str) -> String {
    let mut out = String::new();
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
