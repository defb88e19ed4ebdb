//! Table-driven module toolsets: a module file declares a [`ModuleSpec`]
//! and [`router`] turns it into tools (list, search, get, create, update,
//! delete, item actions, and list/add/update/delete per sub-resource), each
//! a thin call into one generic handler.

mod attachments;
mod build;
mod handlers;
mod shapes;
pub(crate) mod spec;
pub(crate) mod subs;
pub(crate) mod values;

use futures::FutureExt;
use rmcp::handler::server::router::tool::{ToolRoute, ToolRouter};
use rmcp::handler::server::tool::{IntoCallToolResult, ToolCallContext};
use rmcp::model::{CallToolResult, ContentBlock, Tool};

pub(crate) use self::build::scope_meta;
use self::build::{Effect, InputSchema, ToolText, tool};
use self::shapes::{
    ActionResult, CloseArgs, ConfirmArgs, CreateArgs, GetArgs, ItemList, ItemResult, ListArgs,
    SubCreateArgs, SubDeleteArgs, SubListArgs, SubUpdateArgs, UpdateArgs,
};
use self::spec::{ActionKind, ActionSpec, ModuleSpec, SubSpec};
use super::ToolError;
use super::args::DEFAULT_PAGE_SIZE;
use crate::handler::SdpMcp;

/// How destructive tools say that they need the user's confirmation.
const CONFIRM_NOTE: &str = "Needs the user's confirmation: the server asks when the client \
                            supports it, otherwise pass \"confirm\": true.";

/// What one generic tool does.
#[derive(Debug, Clone, Copy)]
enum Op {
    List { query_required: bool },
    Get,
    Create,
    Update,
    Delete,
    Action(&'static ActionSpec),
    SubList(&'static SubSpec),
    SubAdd(&'static SubSpec),
    SubUpdate(&'static SubSpec),
    SubDelete(&'static SubSpec),
    AttachAdd,
    AttachGet,
}

/// A generic tool: its module, its operation and how its id arguments are named.
#[derive(Debug, Clone, Copy)]
struct Binding {
    spec: &'static ModuleSpec,
    op: Op,
}

impl Binding {
    /// The public names of the generic `id` / `item_id` arguments.
    fn renames(self) -> [(String, &'static str); 2] {
        let sub = match self.op {
            Op::SubList(sub) | Op::SubAdd(sub) | Op::SubUpdate(sub) | Op::SubDelete(sub) => {
                sub.noun
            }
            Op::AttachGet => "attachment",
            _ => "item",
        };
        [
            (format!("{}_id", self.spec.noun), "id"),
            (format!("{sub}_id"), "item_id"),
        ]
    }

    async fn run(self, context: ToolCallContext<'_, SdpMcp>) -> Result<CallToolResult, ToolError> {
        let mut args = context.arguments.unwrap_or_default();
        for (public, internal) in self.renames() {
            if let Some(value) = args.remove(&public) {
                args.insert(internal.to_owned(), value);
            }
        }
        let user = context
            .service
            .user_context(&context.request_context)
            .await?;
        let client = user.upstream().client();
        let request = &context.request_context;
        let spec = self.spec;
        let name = context.name.as_ref();
        let outcome = match self.op {
            Op::AttachGet => return attachments::get(client, spec, args).await,
            Op::AttachAdd => attachments::add(client, spec, args).await,
            Op::List { query_required } => {
                handlers::list(client, spec, args, name, query_required).await
            }
            Op::Get => handlers::get(client, spec, args).await,
            Op::Create => handlers::create(client, spec, args).await,
            Op::Update => handlers::update(client, spec, args).await,
            Op::Delete => handlers::delete(client, request, spec, args).await,
            Op::Action(action) => handlers::action(client, request, spec, action, args).await,
            Op::SubList(sub) => handlers::sub_list(client, spec, sub, args, name).await,
            Op::SubAdd(sub) => handlers::sub_add(client, spec, sub, args).await,
            Op::SubUpdate(sub) => handlers::sub_update(client, spec, sub, args).await,
            Op::SubDelete(sub) => handlers::sub_delete(client, request, spec, sub, args).await,
        }?;
        let mut result = CallToolResult::success(vec![ContentBlock::text(outcome.summary)]);
        result.structured_content = Some(outcome.value);
        Ok(result)
    }
}

fn route(binding: Binding, tool: Tool) -> ToolRoute<SdpMcp> {
    ToolRoute::new_dyn(tool, move |context: ToolCallContext<'_, SdpMcp>| {
        async move {
            match binding.run(context).await {
                Ok(result) => Ok(result.into()),
                Err(error) => error.into_call_tool_result(),
            }
        }
        .boxed()
    })
}

/// The tools of `modules`.
pub(crate) fn routers(modules: &[&'static ModuleSpec]) -> ToolRouter<SdpMcp> {
    let mut router = ToolRouter::new();
    for &spec in modules {
        for (op, tool) in tools(spec) {
            router.add_route(route(Binding { spec, op }, tool));
        }
    }
    router
}

fn text(spec: &ModuleSpec, name: String, title: String, what: &str, effect: Effect) -> ToolText {
    ToolText {
        description: format!("{what} {}", spec.about),
        name,
        title,
        scope: spec.scope,
        effect,
    }
}

fn tools(spec: &'static ModuleSpec) -> Vec<(Op, Tool)> {
    let (noun, nouns, label) = (spec.noun, spec.nouns, spec.label);
    let id_arg = format!("{noun}_id");
    let id_text = format!("The {label}'s SDP id (from list_{nouns}).");
    let mut out = Vec::new();
    if spec.ops.list {
        let input = list_input(spec);
        let what = format!(
            "List {label}s, {DEFAULT_PAGE_SIZE} per page (page/page_size), filtered by {}. \
             Returns summary fields; ask for more with `fields`. Example: {{\"page_size\": 10}}.",
            spec.filters
                .iter()
                .map(|f| f.arg)
                .chain(["query"])
                .collect::<Vec<_>>()
                .join(", ")
        );
        let title = format!("List {label}s");
        let t = text(spec, format!("list_{nouns}"), title, &what, Effect::Read);
        out.push((
            Op::List {
                query_required: false,
            },
            tool::<ItemList>(t, input),
        ));
    }
    if spec.search_tool {
        let what = format!(
            "Search {label}s whose {} contains the words in `query`, e.g. {{\"query\": \
             \"vpn\"}}; the same filters as list_{nouns} apply.",
            spec.label_field
        );
        let input = list_input(spec).require("query");
        let t = text(
            spec,
            format!("search_{nouns}"),
            format!("Search {label}s"),
            &what,
            Effect::Read,
        );
        out.push((
            Op::List {
                query_required: true,
            },
            tool::<ItemList>(t, input),
        ));
    }
    if spec.ops.get {
        let what = format!(
            "Get one {label} with every field. Example: {{\"{id_arg}\": \"123456789012345\"}}."
        );
        let input = InputSchema::of::<GetArgs>().rename("id", &id_arg, &id_text);
        let t = text(
            spec,
            format!("get_{noun}"),
            format!("Get {label}"),
            &what,
            Effect::Read,
        );
        out.push((Op::Get, tool::<ItemResult>(t, input)));
    }
    if spec.ops.create {
        let what = format!(
            "Create a {label}. Required fields: {}. Example: {{\"fields\": {}}}.",
            spec.mandatory.join(", "),
            spec.example
        );
        let input = InputSchema::of::<CreateArgs>().fields(spec.rules(), spec.example, true);
        let t = text(
            spec,
            format!("create_{noun}"),
            format!("Create {label}"),
            &what,
            Effect::Create,
        );
        out.push((Op::Create, tool::<ItemResult>(t, input)));
    }
    if spec.ops.update {
        let what = format!(
            "Update fields of a {label}; fields not given stay as they are. Example: \
             {{\"{id_arg}\": \"123456789012345\", \"fields\": {}}}.",
            spec.example
        );
        let input = InputSchema::of::<UpdateArgs>()
            .rename("id", &id_arg, &id_text)
            .fields(spec.rules(), spec.example, false);
        let t = text(
            spec,
            format!("update_{noun}"),
            format!("Update {label}"),
            &what,
            Effect::Update,
        );
        out.push((Op::Update, tool::<ItemResult>(t, input)));
    }
    if spec.ops.delete {
        let what = format!(
            "Delete a {label} permanently. {CONFIRM_NOTE} Example: {{\"{id_arg}\": \
             \"123456789012345\", \"confirm\": true}}."
        );
        let input = InputSchema::of::<ConfirmArgs>().rename("id", &id_arg, &id_text);
        let t = text(
            spec,
            format!("delete_{noun}"),
            format!("Delete {label}"),
            &what,
            Effect::Destroy,
        );
        out.push((Op::Delete, tool::<ActionResult>(t, input)));
    }
    for action in spec.actions {
        out.push((
            Op::Action(action),
            action_tool(spec, action, &id_arg, &id_text),
        ));
    }
    for sub in spec.subs {
        out.extend(sub_tools(spec, sub, &id_arg, &id_text));
        if sub.path == "attachments" {
            out.extend(attachment_tools(spec, &id_arg, &id_text));
        }
    }
    out
}

/// `add_<noun>_attachment` and `get_<noun>_attachment`.
fn attachment_tools(spec: &ModuleSpec, id_arg: &str, id_text: &str) -> [(Op, Tool); 2] {
    let (noun, label) = (spec.noun, spec.label);
    let add = InputSchema::of::<attachments::AttachArgs>().rename("id", id_arg, id_text);
    let add_text = attachments::add_text(spec);
    let get_text = attachments::get_text(spec);
    let item_text = format!("The attachment's SDP id (from list_{noun}_attachments).");
    let get = InputSchema::of::<attachments::AttachmentArgs>()
        .rename("id", id_arg, id_text)
        .rename("item_id", "attachment_id", &item_text);
    [
        (
            Op::AttachAdd,
            tool::<ItemResult>(
                text(
                    spec,
                    format!("add_{noun}_attachment"),
                    format!("Add {label} attachment"),
                    &add_text,
                    Effect::Create,
                ),
                add,
            ),
        ),
        (
            Op::AttachGet,
            tool::<attachments::AttachmentFile>(
                text(
                    spec,
                    format!("get_{noun}_attachment"),
                    format!("Get {label} attachment"),
                    &get_text,
                    Effect::Read,
                ),
                get,
            ),
        ),
    ]
}

fn action_tool(spec: &ModuleSpec, action: &ActionSpec, id_arg: &str, id_text: &str) -> Tool {
    let label = spec.label;
    let (what, input, effect) = match action.kind {
        ActionKind::Close => (
            format!(
                "Close a {label}, with optional closure comments. {CONFIRM_NOTE} Example: \
                 {{\"{id_arg}\": \"123456789012345\", \"comments\": \"Fixed\", \"confirm\": true}}."
            ),
            InputSchema::of::<CloseArgs>(),
            Effect::Destroy,
        ),
        ActionKind::Trash => (
            format!(
                "Move a {label} to the trash (restore_{} brings it back). {CONFIRM_NOTE}",
                spec.noun
            ),
            InputSchema::of::<ConfirmArgs>(),
            Effect::Destroy,
        ),
        ActionKind::Restore => (
            format!(
                "Restore a {label} from the trash. Example: {{\"{id_arg}\": \
                 \"123456789012345\"}}."
            ),
            InputSchema::of::<GetArgs>(),
            Effect::Restore,
        ),
    };
    let name = format!("{}_{}", action.verb, spec.noun);
    let title = format!("{} {label}", capitalised(action.verb));
    tool::<ItemResult>(
        text(spec, name, title, &what, effect),
        input.rename("id", id_arg, id_text),
    )
}

fn sub_tools(
    spec: &'static ModuleSpec,
    sub: &'static SubSpec,
    id_arg: &str,
    id_text: &str,
) -> Vec<(Op, Tool)> {
    let (noun, label) = (spec.noun, spec.label);
    let item_arg = format!("{}_id", sub.noun);
    let item_text = format!(
        "The {}'s SDP id (from list_{noun}_{}).",
        sub.noun, sub.nouns
    );
    let sub_label = sub.noun.replace('_', " ");
    let mut out = Vec::new();
    if sub.ops.list {
        let what = format!(
            "List the {} of a {label}. Example: {{\"{id_arg}\": \"123456789012345\"}}.",
            sub.nouns.replace('_', " ")
        );
        let input = InputSchema::of::<SubListArgs>().rename("id", id_arg, id_text);
        let name = format!("list_{noun}_{}", sub.nouns);
        let title = format!("List {label} {}", sub.nouns.replace('_', " "));
        out.push((
            Op::SubList(sub),
            tool::<ItemList>(text(spec, name, title, &what, Effect::Read), input),
        ));
    }
    if sub.ops.create {
        let what = format!(
            "Add a {sub_label} to a {label}. Example: {{\"{id_arg}\": \"123456789012345\", \
             \"fields\": {}}}.",
            sub.example
        );
        let input = InputSchema::of::<SubCreateArgs>()
            .rename("id", id_arg, id_text)
            .fields(sub.rules(), sub.example, true);
        let name = format!("add_{noun}_{}", sub.noun);
        let title = format!("Add {label} {sub_label}");
        out.push((
            Op::SubAdd(sub),
            tool::<ItemResult>(text(spec, name, title, &what, Effect::Create), input),
        ));
    }
    if sub.ops.update {
        let what = format!(
            "Update a {sub_label} of a {label}; fields not given stay as they are. Example: \
             {{\"{id_arg}\": \"123456789012345\", \"{item_arg}\": \"223456789012345\", \
             \"fields\": {}}}.",
            sub.example
        );
        let input = InputSchema::of::<SubUpdateArgs>()
            .rename("id", id_arg, id_text)
            .rename("item_id", &item_arg, &item_text)
            .fields(sub.rules(), sub.example, false);
        let name = format!("update_{noun}_{}", sub.noun);
        let title = format!("Update {label} {sub_label}");
        out.push((
            Op::SubUpdate(sub),
            tool::<ItemResult>(text(spec, name, title, &what, Effect::Update), input),
        ));
    }
    if sub.ops.delete {
        let what = format!(
            "Delete a {sub_label} of a {label}. {CONFIRM_NOTE} Example: {{\"{id_arg}\": \
             \"123456789012345\", \"{item_arg}\": \"223456789012345\", \"confirm\": true}}."
        );
        let input = InputSchema::of::<SubDeleteArgs>()
            .rename("id", id_arg, id_text)
            .rename("item_id", &item_arg, &item_text);
        let name = format!("delete_{noun}_{}", sub.noun);
        let title = format!("Delete {label} {sub_label}");
        out.push((
            Op::SubDelete(sub),
            tool::<ActionResult>(text(spec, name, title, &what, Effect::Destroy), input),
        ));
    }
    out
}

/// The list arguments plus the module's filters.
fn list_input(spec: &ModuleSpec) -> InputSchema {
    spec.filters
        .iter()
        .fold(InputSchema::of::<ListArgs>(), |input, filter| {
            input.string(filter.arg, filter.description)
        })
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::spec::ModuleSpec;
    use super::values::to_sdp;
    use super::*;
    use crate::tools::{
        assets, changes, cmdb, contracts, problems, projects, purchase_orders, releases,
        requesters, solutions,
    };

    fn all() -> [&'static ModuleSpec; 14] {
        [
            &problems::PROBLEMS,
            &changes::CHANGES,
            &releases::RELEASES,
            &projects::PROJECTS,
            &assets::ASSETS,
            &assets::WORKSTATIONS,
            &assets::PRODUCTS,
            &assets::PRODUCT_TYPES,
            &cmdb::CIS,
            &solutions::SOLUTIONS,
            &solutions::TOPICS,
            &contracts::CONTRACTS,
            &purchase_orders::PURCHASE_ORDERS,
            &requesters::REQUESTERS,
        ]
    }

    #[test]
    fn tables_are_consistent() {
        for spec in all() {
            let rules = spec.rules();
            for field in spec
                .mandatory
                .iter()
                .chain(rules.lookups)
                .chain(rules.users)
            {
                assert!(spec.writable.contains(field), "{}: {field}", spec.path);
            }
            let example: Value = serde_json::from_str(spec.example).unwrap();
            to_sdp(example.as_object().unwrap(), rules, true, spec.label)
                .unwrap_or_else(|e| panic!("{}: example: {e}", spec.path));
            for filter in spec.filters {
                assert!(
                    !["query", "page", "page_size", "fields"].contains(&filter.arg),
                    "{}: filter {} hides an argument",
                    spec.path,
                    filter.arg
                );
            }
            for sub in spec.subs.iter().filter(|s| s.ops.create) {
                let example: Value = serde_json::from_str(sub.example).unwrap();
                to_sdp(example.as_object().unwrap(), sub.rules(), true, sub.noun)
                    .unwrap_or_else(|e| panic!("{}/{}: example: {e}", spec.path, sub.path));
            }
        }
    }

    #[test]
    fn tool_names_are_unique_verb_noun() {
        let mut names = BTreeSet::new();
        for spec in all() {
            for (_, tool) in tools(spec) {
                let name = tool.name.to_string();
                assert!(
                    name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                    "{name}"
                );
                assert!(names.insert(name.clone()), "{name} twice");
                let scope = tool.meta.as_ref().and_then(|m| m.0.get("sdp/scope"));
                assert!(scope.is_some(), "{name} has no scope");
            }
        }
        assert!(names.len() >= 130, "{}", names.len());
    }
}
