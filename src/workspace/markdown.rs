//! Terraform inside a model's Markdown answer: every HCL code block becomes a virtual
//! file whose lines map back to the `.md`. File names come from, in order: a heading that
//! names a file (`## File: lib/x.tf`, ``### 1. `x.tf` - …``), a first-line comment
//! (`# x.tf`), a line of prose just before the fence, the fence's info string; a lone
//! unnamed block is `main.tf`. Blocks that continue the file of the block before are
//! joined; a file written again later (a draft, then the answer) keeps the last version.
//! A fence opened inside an unclosed block is split off, a document that ends inside a
//! fence keeps what it has, and an answer without fences but with raw HCL is read as one
//! file. How each block was named, joined, split or dropped is reported as a note.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

/// A file extracted from the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractedFile {
    /// Path relative to the answer (`variables.tf`, `modules/vpc/main.tf`).
    pub path: String,
    pub text: String,
    /// The 1-based Markdown line of each line of `text`.
    pub lines: Vec<usize>,
    /// How the name was found.
    pub naming: Naming,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    Heading,
    Comment,
    Prose,
    Info,
    /// The only block of the answer.
    Lone,
    /// No name of its own: joined to the file of the block before it, as the next part
    /// of that file (or `main.tf` when it comes first).
    Continued,
    /// No name found and nothing to join: `block-N.tf`.
    Unnamed,
    /// An answer without fences.
    Unfenced,
}

/// Something the reviewer should check about the extraction, at a Markdown line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractionNote {
    pub line: usize,
    /// The extracted file concerned, if any.
    pub file: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extraction {
    pub files: Vec<ExtractedFile>,
    pub notes: Vec<ExtractionNote>,
    /// Blocks that had no name of their own and were joined to the file before them.
    pub continued_blocks: usize,
    /// The names of the other files the answer shows (`user_data.sh`, `policy.json`):
    /// code blocks that are not Terraform, named by their heading, the prose before
    /// them, their info string or a first comment line.
    pub assets: Vec<String>,
    /// The text of each of those files, as the answer shows it (the first code block
    /// under each name).
    pub asset_texts: Vec<AssetText>,
}

/// A file other than Terraform that an answer shows in a code block of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssetText {
    /// Its name as the answer gives it (`user_data.sh`, `scripts/init.sh`).
    pub name: String,
    pub text: String,
    /// The Markdown line of each line of the text (1-based).
    pub lines: Vec<usize>,
}

struct Block {
    info: String,
    /// Text and Markdown line of each content line.
    lines: Vec<(String, usize)>,
    /// The fence line.
    fence_line: usize,
    closed: bool,
    heading: Option<(String, usize)>,
    prose: Option<String>,
}

/// 1-based line of a byte offset.
fn line_of(starts: &[usize], offset: usize) -> usize {
    starts.partition_point(|&s| s <= offset).max(1)
}

/// A file name in a piece of text: the first token ending in `.tf`/`.tfvars`/`.hcl`,
/// without a leading `lib/`, `./` or `/`. Names with a `..` component are refused, and
/// empty or `.` components are dropped, so the name stays inside the answer's folder.
pub fn file_name_in(text: &str) -> Option<String> {
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/');
    for (i, _) in text.match_indices(".tf").chain(text.match_indices(".hcl")) {
        // `i` is the offset of an ASCII `.`: `i + 1` is a char boundary.
        let after = text.get(i + 1..).unwrap_or("");
        let end = after
            .find(|c: char| !is_name_char(c))
            .map_or(text.len(), |e| i + 1 + e);
        let candidate = text.get(..end).unwrap_or("");
        // The name starts just after the last character that cannot be part of it, which
        // may be several bytes long (`“main.tf”`).
        let start = candidate
            .char_indices()
            .rev()
            .find(|&(_, c)| !is_name_char(c))
            .map_or(0, |(s, c)| s + c.len_utf8());
        let name = candidate.get(start..).unwrap_or("").trim_end_matches('.');
        let known = [".tf", ".tfvars", ".hcl", ".tfvars.example", ".tf.example"];
        if !known.iter().any(|ext| name.ends_with(ext)) || name.contains("..") {
            continue;
        }
        let mut parts: Vec<&str> = name
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        if parts.len() > 1 && parts.first() == Some(&"lib") {
            parts.remove(0);
        }
        let stem = parts.last().copied().unwrap_or("");
        if stem.len() > 3 {
            return Some(parts.join("/"));
        }
    }
    None
}

/// The file the prose before a block names: the one its last paragraph (or list item)
/// names, when it names one ("create a `terraform.tfvars` with:" after steps that named
/// other files), else the first one the prose names ("1. create `main.tf` … 4. it works
/// with an existing `provider.tf`" … "let's start:").
fn prose_file_name(prose: &str) -> Option<String> {
    let last = prose.split('\n').rev().find(|p| !p.trim().is_empty())?;
    file_name_in(last).or_else(|| file_name_in(prose))
}

fn is_hcl_info(info: &str) -> bool {
    let lang = info
        .split([' ', ',', '{', ':'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(
        lang.as_str(),
        "hcl" | "terraform" | "tf" | "hcl2" | "tfvars"
    )
}

/// Whether unlabelled lines look like Terraform.
fn looks_like_hcl<'a>(lines: impl Iterator<Item = &'a str>) -> bool {
    lines
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("//"))
        .is_some_and(starts_hcl_block)
}

/// Whether a line opens a top-level Terraform block: `terraform {`, `locals {`, or a
/// block keyword followed by its label (`resource "aws_s3_bucket" "x" {`). A shell line
/// such as `terraform init` or `module load` is not one.
fn starts_hcl_block(line: &str) -> bool {
    let word_end = line
        .find(|c: char| c.is_whitespace() || c == '{' || c == '"')
        .unwrap_or(line.len());
    let (word, rest) = line.split_at(word_end);
    let rest = rest.trim_start();
    match word {
        "terraform" | "locals" => rest.starts_with('{'),
        "resource" | "data" | "variable" | "provider" | "module" | "output" => {
            rest.starts_with('"')
                || (rest.starts_with(|c: char| c.is_ascii_alphabetic()) && rest.contains('{'))
        }
        _ => false,
    }
}

pub fn extract(md: &str) -> Extraction {
    let starts = super::line_starts(md);
    let mut blocks: Vec<Block> = Vec::new();
    let mut heading: Option<(String, usize)> = None;
    let mut in_heading: Option<(String, usize)> = None;
    let mut prose = String::new();
    let mut current: Option<Block> = None;
    let mut code_range: Option<Range<usize>> = None;
    for (event, range) in Parser::new(md).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                in_heading = Some((String::new(), line_of(&starts, range.start)));
            }
            Event::End(TagEnd::Heading(_)) => {
                heading = in_heading.take();
                prose.clear();
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => "indented".to_string(),
                };
                current = Some(Block {
                    info,
                    lines: Vec::new(),
                    fence_line: line_of(&starts, range.start),
                    closed: false,
                    heading: heading.clone(),
                    prose: (!prose.trim().is_empty()).then(|| prose.trim().to_string()),
                });
                code_range = Some(range.clone());
                prose.clear();
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some(block) = current.as_mut() {
                    // One event per run of lines; map each line to its place.
                    let first = line_of(&starts, range.start);
                    for (i, l) in text.split_inclusive('\n').enumerate() {
                        block
                            .lines
                            .push((l.trim_end_matches(['\n', '\r']).to_string(), first + i));
                    }
                } else if let Some((h, _)) = in_heading.as_mut() {
                    h.push_str(&text);
                } else {
                    prose.push_str(&text);
                    prose.push(' ');
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(mut block) = current.take() {
                    let r = code_range.take().unwrap_or(range.clone());
                    let last_line = md
                        .get(r.clone())
                        .and_then(|t| t.trim_end().lines().last())
                        .unwrap_or("");
                    block.closed = last_line.trim_start().starts_with("```")
                        || last_line.trim_start().starts_with("~~~");
                    if block.lines.len() == 1 && block.lines[0].0.is_empty() {
                        block.lines.clear();
                    }
                    blocks.push(block);
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item) => {
                prose.push('\n');
            }
            _ => {}
        }
    }
    let mut notes = Vec::new();
    let (assets, asset_texts) = asset_names(&blocks);
    let blocks = split_nested_fences(blocks, &mut notes);
    let mut out = Extraction {
        assets,
        asset_texts,
        ..Extraction::default()
    };
    assemble(blocks, &mut out, &mut notes);
    if out.files.is_empty() {
        if let Some(file) = unfenced(md) {
            notes.push(ExtractionNote {
                line: file.lines.first().copied().unwrap_or(1),
                file: Some(file.path.clone()),
                message: "the answer has no code fence; its raw HCL was read as main.tf".into(),
            });
            out.files.push(file);
        }
    }
    out.notes = notes;
    out
}

/// The file names that name the code blocks that are not Terraform.
fn asset_names(blocks: &[Block]) -> (Vec<String>, Vec<AssetText>) {
    let mut names: Vec<String> = Vec::new();
    let mut out: Vec<AssetText> = Vec::new();
    for block in blocks {
        let before = names.len();
        let first = block
            .lines
            .iter()
            .map(|(t, _)| t.trim())
            .find(|t| !t.is_empty())
            .unwrap_or("");
        let shebang = first.starts_with("#!");
        if is_hcl_info(&block.info) && !shebang {
            continue;
        }
        let comment = (first.starts_with('#') || first.starts_with("//")).then_some(first);
        let prose = block
            .prose
            .as_deref()
            .and_then(|p| p.split('\n').rev().find(|l| !l.trim().is_empty()));
        for text in [
            block.heading.as_ref().map(|(h, _)| h.as_str()),
            prose,
            Some(block.info.as_str()),
            comment,
        ]
        .into_iter()
        .flatten()
        {
            names.extend(
                text.split(|c: char| {
                    !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
                })
                .map(|w| w.trim_end_matches('.').trim_start_matches("./"))
                .map(|w| w.strip_prefix("lib/").unwrap_or(w))
                .filter(|w| {
                    w.rsplit_once('.').is_some_and(|(stem, ext)| {
                        !stem.is_empty()
                            && (1..=5).contains(&ext.len())
                            && ext.chars().all(|c| c.is_ascii_alphanumeric())
                            // A zip is no text to show: `lambda-package-missing`
                            // keeps asking where it comes from.
                            && !matches!(ext, "tf" | "tfvars" | "hcl" | "zip")
                    })
                })
                .map(str::to_string),
            );
        }
        // The block is the text of each name it gave (the first block under a name),
        // unless it is Terraform without a language of its own: the prose before it
        // named the file it uses, not itself.
        let terraform = block.info.trim().is_empty()
            && looks_like_hcl(block.lines.iter().map(|(t, _)| t.as_str()));
        for name in names[before..].iter() {
            if terraform || out.iter().any(|a| &a.name == name) {
                continue;
            }
            let name = name.clone();
            out.push(AssetText {
                name,
                text: block
                    .lines
                    .iter()
                    .map(|(t, _)| t.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
                lines: block.lines.iter().map(|(_, l)| *l).collect(),
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    names.sort();
    names.dedup();
    (names, out)
}

/// Splits a block at a fence line inside it (a fence opened before the previous one
/// closed): the lines before the inner fence that name a file name the second part.
fn split_nested_fences(blocks: Vec<Block>, notes: &mut Vec<ExtractionNote>) -> Vec<Block> {
    let mut out = Vec::new();
    for block in blocks {
        if !is_hcl_info(&block.info) && !block.info.is_empty() {
            out.push(block);
            continue;
        }
        let mut part = Block {
            info: block.info.clone(),
            lines: Vec::new(),
            fence_line: block.fence_line,
            closed: block.closed,
            heading: block.heading.clone(),
            prose: block.prose.clone(),
        };
        for (text, line) in block.lines {
            let t = text.trim_start();
            if t.starts_with("```") {
                notes.push(ExtractionNote {
                    line,
                    file: None,
                    message: "a code fence opens inside another that was never closed; the block was split here".into(),
                });
                // Trailing prose/headings before the inner fence name the next part.
                let mut naming = Vec::new();
                while let Some((last, l)) = part.lines.last().cloned() {
                    let lt = last.trim();
                    if lt.is_empty()
                        || lt.starts_with("##")
                        || (file_name_in(lt).is_some()
                            && !starts_hcl_block(lt)
                            && !lt.contains('='))
                    {
                        naming.push((last, l));
                        part.lines.pop();
                    } else {
                        break;
                    }
                }
                naming.reverse();
                // A `#` line is a heading; any other line naming a file is prose ("Edit
                // `backend.tf` to use your bucket:"), the weaker name.
                let named = |heading: bool| {
                    naming
                        .iter()
                        .filter(|(t, _)| t.trim_start().starts_with('#') == heading)
                        .find(|(t, _)| file_name_in(t).is_some())
                };
                let heading =
                    named(true).map(|(t, l)| (t.trim_start_matches('#').trim().to_string(), *l));
                let prose = named(false).map(|(t, _)| t.trim().to_string());
                let next = Block {
                    info: t.trim_start_matches('`').trim().to_string(),
                    lines: Vec::new(),
                    fence_line: line,
                    closed: block.closed,
                    heading: heading.or_else(|| part.heading.clone()),
                    prose,
                };
                if !part.lines.iter().all(|(t, _)| t.trim().is_empty()) {
                    out.push(std::mem::replace(&mut part, next));
                } else {
                    part = next;
                }
                continue;
            }
            part.lines.push((text, line));
        }
        out.push(part);
    }
    out
}

fn assemble(blocks: Vec<Block>, out: &mut Extraction, notes: &mut Vec<ExtractionNote>) {
    // The files in order, a dropped version leaving `None`, and where each path is: an
    // answer with thousands of blocks must not cost a scan of the files per block.
    let mut files: Vec<Option<ExtractedFile>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let hcl: Vec<&Block> = blocks
        .iter()
        .filter(|b| {
            let mut content = b
                .lines
                .iter()
                .map(|(t, _)| t.trim_start())
                .filter(|t| !t.is_empty());
            let shebang = content.next().is_some_and(|first| first.starts_with("#!"));
            !b.lines.is_empty()
                && !shebang
                && (is_hcl_info(&b.info)
                    || (b.info.trim().is_empty()
                        && looks_like_hcl(b.lines.iter().map(|(t, _)| t.as_str()))))
        })
        .collect();
    let lone = hcl.len() == 1;
    let mut unnamed = 0;
    let mut previous_path: Option<String> = None;
    let mut previous_heading: Option<usize> = None;
    for block in hcl {
        let first_content = block
            .lines
            .iter()
            .map(|(t, _)| t.trim())
            .find(|t| !t.is_empty())
            .unwrap_or("");
        let comment_name = (first_content.starts_with('#') || first_content.starts_with("//"))
            .then(|| file_name_in(first_content))
            .flatten();
        let heading_name = block.heading.as_ref().and_then(|(h, _)| file_name_in(h));
        let (path, naming) = if let Some(n) = comment_name.clone() {
            (n, Naming::Comment)
        } else if let Some(n) = block.prose.as_deref().and_then(prose_file_name) {
            (n, Naming::Prose)
        } else if let Some(n) = heading_name.clone() {
            (n, Naming::Heading)
        } else if let Some(n) = file_name_in(&block.info) {
            (n, Naming::Info)
        } else if lone {
            ("main.tf".to_string(), Naming::Lone)
        } else if let Some(previous) = previous_path.clone() {
            (previous, Naming::Continued)
        } else if !index.contains_key("main.tf") {
            ("main.tf".to_string(), Naming::Continued)
        } else {
            unnamed += 1;
            (format!("block-{unnamed}.tf"), Naming::Unnamed)
        };
        let mut text = String::with_capacity(block.lines.iter().map(|(t, _)| t.len() + 1).sum());
        for (t, _) in &block.lines {
            text.push_str(t);
            text.push('\n');
        }
        let lines: Vec<usize> = block.lines.iter().map(|(_, l)| *l).collect();
        if !block.closed {
            notes.push(ExtractionNote {
                line: block.fence_line,
                file: Some(path.clone()),
                message: format!("the answer ends inside this code block (truncated output); `{path}` keeps what was written"),
            });
        }
        if naming == Naming::Unnamed {
            notes.push(ExtractionNote {
                line: block.fence_line,
                file: Some(path.clone()),
                message: format!("no file name found for this block; it was called `{path}`"),
            });
        }
        match naming {
            Naming::Prose => notes.push(ExtractionNote {
                line: block.fence_line,
                file: Some(path.clone()),
                message: format!("this block was named `{path}` after the text just before it"),
            }),
            Naming::Info => notes.push(ExtractionNote {
                line: block.fence_line,
                file: Some(path.clone()),
                message: format!("this block was named `{path}` after its fence's info string"),
            }),
            _ => {}
        }
        if naming == Naming::Continued {
            out.continued_blocks += 1;
            notes.push(ExtractionNote {
                line: block.fence_line,
                file: Some(path.clone()),
                message: format!(
                    "no file name found for this block; it was read as the next part of `{path}`"
                ),
            });
        }
        // A block named by a heading of its own (not the one that named the block before)
        // is a new version of the file, not its continuation.
        let heading_line = block.heading.as_ref().map(|(_, l)| *l);
        let new_version = naming == Naming::Heading && heading_line != previous_heading;
        previous_heading = if naming == Naming::Heading {
            heading_line
        } else {
            previous_heading
        };
        let existing = index
            .get(&path)
            .copied()
            .and_then(|i| Some((i, files.get_mut(i)?.as_mut()?)));
        match existing {
            Some((_, file)) if previous_path.as_deref() == Some(path.as_str()) && !new_version => {
                if naming != Naming::Continued {
                    notes.push(ExtractionNote {
                        line: block.fence_line,
                        file: Some(path.clone()),
                        message: format!("this block continues `{path}` and was joined to it"),
                    });
                }
                file.text.push_str(&text);
                file.lines.extend(lines);
            }
            // A block named only by the text before it (or its info string) that repeats
            // a file the answer writes under its own heading or comment is an example
            // (a README's "edit `backend.tf`" snippet), not a new version of the file.
            Some((_, file))
                if matches!(naming, Naming::Prose | Naming::Info)
                    && matches!(file.naming, Naming::Heading | Naming::Comment) =>
            {
                notes.push(ExtractionNote {
                    line: block.fence_line,
                    file: Some(path.clone()),
                    message: format!(
                        "this block repeats `{path}`, which the answer writes under its own name at line {}; it was read as an example and the file kept",
                        file.lines.first().copied().unwrap_or(1)
                    ),
                });
                previous_path = None;
                continue;
            }
            existing => {
                if let Some((i, file)) = existing {
                    notes.push(ExtractionNote {
                        line: file.lines.first().copied().unwrap_or(1),
                        file: Some(path.clone()),
                        message: format!(
                            "`{path}` is written twice; the version at line {} was kept and this earlier one dropped",
                            block.fence_line
                        ),
                    });
                    files[i] = None;
                }
                index.insert(path.clone(), files.len());
                files.push(Some(ExtractedFile {
                    path: path.clone(),
                    text,
                    lines,
                    naming,
                }));
            }
        }
        previous_path = Some(path);
    }
    out.files.extend(files.into_iter().flatten());
}

/// An answer without fences: the HCL from the first line that starts a block.
fn unfenced(md: &str) -> Option<ExtractedFile> {
    let lines: Vec<&str> = md.lines().collect();
    let first = lines.iter().position(|l| starts_hcl_block(l))?;
    let mut text = String::new();
    let mut map = Vec::new();
    for (i, l) in lines.iter().enumerate().skip(first) {
        text.push_str(l);
        text.push('\n');
        map.push(i + 1);
    }
    Some(ExtractedFile {
        path: "main.tf".into(),
        text,
        lines: map,
        naming: Naming::Unfenced,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_an_answer_shows_keep_their_text_and_markdown_lines() {
        let md = "## main.tf\n```hcl\nresource \"aws_instance\" \"w\" {}\n```\n\n## user_data.sh\n```bash\n#!/bin/bash\necho ${name}\n```\n\nAgain, `user_data.sh`:\n```bash\necho other\n```\n";
        let out = extract(md);
        assert_eq!(out.assets, ["user_data.sh"]);
        assert_eq!(out.asset_texts.len(), 1);
        let shown = &out.asset_texts[0];
        // The first block under a name is its text.
        assert_eq!(shown.text, "#!/bin/bash\necho ${name}");
        assert_eq!(shown.lines, [8, 9]);
    }

    #[test]
    fn file_names_in_headings_and_comments() {
        assert_eq!(
            file_name_in("File: lib/variables.tf").as_deref(),
            Some("variables.tf")
        );
        assert_eq!(
            file_name_in("1. `variables.tf` - Input Variables").as_deref(),
            Some("variables.tf")
        );
        assert_eq!(
            file_name_in("Provider Configuration (`/lib/provider.tf`)").as_deref(),
            Some("provider.tf")
        );
        assert_eq!(
            file_name_in("**modules/vpc/main.tf**").as_deref(),
            Some("modules/vpc/main.tf")
        );
        assert_eq!(
            file_name_in("# terraform.tfvars").as_deref(),
            Some("terraform.tfvars")
        );
        assert_eq!(file_name_in("Terraform configuration"), None);
        assert_eq!(file_name_in("see .tf files"), None);
    }

    #[test]
    fn the_prose_step_just_before_a_block_names_it() {
        // Earlier steps name other files; the step that introduces the block names it.
        let md = "## Files\n\n```hcl\n# main.tf\nresource \"aws_s3_bucket\" \"b\" {}\n```\n\n## Deployment\n\n1. **State**:\n   Uncomment the backend block in `main.tf`.\n\n2. **Variables**:\n   Create a `terraform.tfvars` file with your values:\n   ```hcl\n   region = \"eu-west-1\"\n   ```\n";
        let paths: Vec<String> = extract(md).files.into_iter().map(|f| f.path).collect();
        assert_eq!(paths, ["main.tf", "terraform.tfvars"]);
        // A last paragraph that names nothing leaves the naming to the first name.
        let md = "1. I write `stack.tf`.\n2. It works with an existing `provider.tf`.\n\nLet's start:\n\n```hcl\nvariable \"region\" {}\n```\n\n```hcl\n# provider.tf\nprovider \"aws\" {}\n```\n";
        let paths: Vec<String> = extract(md).files.into_iter().map(|f| f.path).collect();
        assert_eq!(paths, ["stack.tf", "provider.tf"]);
    }

    #[test]
    fn a_snippet_named_by_prose_does_not_replace_a_file_written_under_its_name() {
        let file = "## File: lib/backend.tf\n\n```hcl\nterraform {\n  backend \"s3\" {\n    bucket = \"real-state\"\n  }\n}\n```\n\n## File: lib/main.tf\n\n```hcl\nresource \"aws_s3_bucket\" \"b\" {}\n```\n\n";
        // A README step repeats the file with placeholders: an example, the file is kept.
        let md = format!(
            "{file}## Deployment\n\nEdit `backend.tf` to use your bucket:\n\n```hcl\nterraform {{\n  backend \"s3\" {{\n    bucket = \"your-bucket\"\n  }}\n}}\n```\n"
        );
        let extraction = extract(&md);
        let files: Vec<(&str, &str)> = extraction
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.text.as_str()))
            .collect();
        assert_eq!(files.len(), 2);
        assert!(files[0].1.contains("real-state"), "{files:?}");
        assert!(
            extraction
                .notes
                .iter()
                .any(|n| n.message.contains("read as an example")),
            "{:?}",
            extraction.notes
        );
        // The same inside a block whose fence an inner fence interrupts: the line before
        // the inner fence names the part after it as prose, not as a heading.
        let md = format!(
            "{file}## Notes\n\n```\nterraform {{\n  required_version = \">= 1.5\"\n}}\n\nEdit `backend.tf` to use your bucket:\n```hcl\nterraform {{\n  backend \"s3\" {{\n    bucket = \"your-bucket\"\n  }}\n}}\n```\n"
        );
        let extraction = extract(&md);
        assert!(
            extraction
                .notes
                .iter()
                .any(|n| n.message.contains("the block was split here")),
            "the inner fence splits the block: {:?}",
            extraction.notes
        );
        let texts: Vec<String> = extract(&md).files.into_iter().map(|f| f.text).collect();
        assert!(
            texts.iter().all(|t| !t.contains("your-bucket")),
            "{texts:?}"
        );
        // A new version under a heading of its own still replaces the file.
        let md = format!(
            "{file}## File: lib/backend.tf (corrected)\n\n```hcl\nterraform {{\n  backend \"s3\" {{}}\n}}\n```\n"
        );
        let files = extract(&md).files;
        assert_eq!(files.len(), 2);
        assert!(files.iter().all(|f| !f.text.contains("real-state")));
    }

    #[test]
    fn an_unlabelled_block_of_shell_commands_is_not_terraform() {
        // The prose names `provider.tf`, but the block under it holds commands.
        let md = "## main.tf\n\n```\nterraform {\n  required_version = \">= 1.6\"\n}\n```\n\nCheck `provider.tf`, then run:\n\n```\nterraform init\nterraform apply\n```\n\n```\nmodule load terraform\n```\n";
        let paths: Vec<String> = extract(md).files.into_iter().map(|f| f.path).collect();
        assert_eq!(paths, ["main.tf"]);
        assert!(starts_hcl_block("resource \"aws_s3_bucket\" \"b\" {"));
        assert!(starts_hcl_block("terraform{"));
        assert!(starts_hcl_block("variable region {"));
        assert!(!starts_hcl_block(
            "terraform init -backend-config=backend.hcl"
        ));
        assert!(!starts_hcl_block("output of the plan"));
    }

    #[test]
    fn file_names_after_multibyte_characters() {
        // The character before the name is several bytes long: the name starts after it.
        assert_eq!(
            file_name_in("Create “main.tf”:").as_deref(),
            Some("main.tf")
        );
        assert_eq!(file_name_in("# “x.tf”").as_deref(), Some("x.tf"));
        assert_eq!(
            file_name_in("→modules/a/b.tf").as_deref(),
            Some("modules/a/b.tf")
        );
        assert_eq!(file_name_in("日本語.tf"), None);
        assert_eq!(file_name_in("é.tf.é"), None);
        let md = "Create “main.tf”:\n\n```hcl\nresource \"a\" \"b\" {}\n```\n\n```hcl\n# “x.tf”\nvariable \"v\" {}\n```\n";
        let paths: Vec<String> = extract(md).files.into_iter().map(|f| f.path).collect();
        assert_eq!(paths, ["main.tf", "x.tf"]);
    }

    #[test]
    fn file_names_stay_inside_the_answer() {
        assert_eq!(file_name_in("lib//x.tf").as_deref(), Some("x.tf"));
        assert_eq!(file_name_in("/./a//b.tf").as_deref(), Some("a/b.tf"));
        assert_eq!(file_name_in("../x.tf"), None);
        assert_eq!(file_name_in("a/../../x.tf"), None);
        assert_eq!(file_name_in("lib/lib/x.tf").as_deref(), Some("lib/x.tf"));
    }
}
