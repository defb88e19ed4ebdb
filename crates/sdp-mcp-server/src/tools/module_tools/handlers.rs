//! The generic handlers: one function per operation shape, each a thin call
//! into the SDP client at the path the tables give.

use http::Method;
use rmcp::RoleServer;
use rmcp::service::RequestContext;
use sdp_client::{ApiCall, ApiResponse, Condition, Criterion, SdpClient, SearchCriteria};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::shapes::{
    ActionResult, CloseArgs, ConfirmArgs, CreateArgs, GetArgs, ItemList, ItemResult, ListArgs,
    SubCreateArgs, SubDeleteArgs, SubListArgs, SubUpdateArgs, UpdateArgs,
};
use super::spec::{ActionKind, ActionSpec, Matching, ModuleSpec, SubSpec};
use super::values::{label, readable, to_sdp};
use crate::tools::ToolError;
use crate::tools::args::{epoch_ms, numeric_id, paging};
use crate::tools::confirm::{WriteResult, confirm};
use crate::tools::views::PageInfo;

/// A handler's answer: the structured result and a compact text summary.
pub(crate) struct Outcome {
    /// `structuredContent`.
    pub(crate) value: Value,
    /// The text content.
    pub(crate) summary: String,
}

impl Outcome {
    pub(crate) fn new(value: impl serde::Serialize, summary: String) -> Result<Self, ToolError> {
        let value = serde_json::to_value(value)
            .map_err(|e| ToolError::message(format!("the result does not serialise: {e}")))?;
        Ok(Self { value, summary })
    }
}

/// Reads the arguments as `T`, naming what is wrong.
pub(crate) fn parse<T: DeserializeOwned>(args: Map<String, Value>) -> Result<T, ToolError> {
    serde_json::from_value(Value::Object(args))
        .map_err(|e| ToolError::message(format!("invalid arguments: {e}")))
}

fn id(spec: &ModuleSpec, given: &str) -> Result<String, ToolError> {
    numeric_id(
        &format!("{}_id", spec.noun),
        given,
        &format!("list_{}", spec.nouns),
    )
}

fn sub_id(spec: &ModuleSpec, sub: &SubSpec, given: &str) -> Result<String, ToolError> {
    numeric_id(
        &format!("{}_id", sub.noun),
        given,
        &format!("list_{}_{}", spec.noun, sub.nouns),
    )
}

/// How to check an item after a write whose outcome is unknown.
fn check(spec: &ModuleSpec, id: &str) -> String {
    format!("get_{} with {}_id {id}", spec.noun, spec.noun)
}

/// How to check a sub-resource after a write whose outcome is unknown.
fn sub_check(spec: &ModuleSpec, sub: &SubSpec, id: &str) -> String {
    format!(
        "list_{}_{} with {}_id {id}",
        spec.noun, sub.nouns, spec.noun
    )
}

fn page_of(
    response: &ApiResponse,
    key: &str,
    fields: Option<&[String]>,
    (page, size): (u32, u32),
    tool: &str,
    label_field: &str,
) -> Result<Outcome, ToolError> {
    let items: Vec<Map<String, Value>> = response
        .list_value(&[key])
        .map(|list| list.iter().map(|item| readable(item, fields)).collect())
        .unwrap_or_default();
    let paging = PageInfo::new(page, size, &response.list_info());
    let next_page = paging
        .has_more
        .then(|| format!("call {tool} with \"page\": {}", page + 1));
    let mut lines = vec![format!("{} {key} on page {page}", items.len())];
    if let Some(next) = &next_page {
        lines.push(format!("more: {next}"));
    }
    for item in &items {
        lines.push(format!(
            "- {}: {}",
            label(item, "id"),
            label(item, label_field)
        ));
    }
    let summary = lines.join("\n");
    Outcome::new(
        ItemList {
            items,
            paging,
            next_page,
        },
        summary,
    )
}

fn item_of(
    response: &ApiResponse,
    key: &str,
    message: String,
    label_field: &str,
) -> Result<Outcome, ToolError> {
    let item = response.entity_value(&[key]).map(|v| readable(v, None));
    let summary = match &item {
        Some(item) => format!(
            "{message}: {} ({})",
            label(item, label_field),
            label(item, "id")
        ),
        None => message.clone(),
    };
    Outcome::new(ItemResult { message, item }, summary)
}

/// `list_<nouns>` / `search_<nouns>`: filters and `query` become search criteria.
pub(crate) async fn list(
    client: &SdpClient,
    spec: &ModuleSpec,
    mut args: Map<String, Value>,
    tool: &str,
    query_required: bool,
) -> Result<Outcome, ToolError> {
    let mut criteria: Vec<Criterion> = Vec::new();
    for filter in spec.filters {
        let Some(value) = args.remove(filter.arg) else {
            continue;
        };
        let Some(text) = value.as_str().map(str::trim).filter(|t| !t.is_empty()) else {
            return Err(ToolError::message(format!(
                "`{}` must be a non-empty string",
                filter.arg
            )));
        };
        criteria.push(match filter.matching {
            Matching::Is => Criterion::is(filter.field, text),
            Matching::Contains => Criterion::contains(filter.field, text),
            Matching::Person if text.contains('@') => {
                Criterion::is(format!("{}.email_id", filter.field), text)
            }
            Matching::Person => Criterion::contains(format!("{}.name", filter.field), text),
            Matching::OnOrAfter => Criterion::new(
                filter.field,
                Condition::GreaterOrEqual,
                epoch_ms(filter.arg, text)?.to_string(),
            ),
            Matching::OnOrBefore => Criterion::new(
                filter.field,
                Condition::LesserOrEqual,
                epoch_ms(filter.arg, text)?.to_string(),
            ),
        });
    }
    let args: ListArgs = parse(args)?;
    match args.query.as_deref().map(str::trim) {
        Some(query) if !query.is_empty() => {
            criteria.push(Criterion::contains(spec.label_field, query));
        }
        _ if query_required => {
            return Err(ToolError::message(
                "`query` is empty: give a word to search for, e.g. \"printer\"",
            ));
        }
        _ => {}
    }
    let (mut list_info, page, size) = paging(args.page, args.page_size);
    let mut criteria = criteria.into_iter();
    if let Some(first) = criteria.next() {
        let all = criteria.fold(SearchCriteria::new(first), SearchCriteria::and);
        list_info = list_info.search_criteria(all);
    }
    let call = ApiCall::get([spec.path]).input_data(list_info.to_input_data());
    let response = client.execute(&call).await?;
    let fields = args.fields.unwrap_or_else(|| {
        spec.summary_fields
            .iter()
            .map(|f| (*f).to_owned())
            .collect()
    });
    page_of(
        &response,
        spec.plural,
        Some(&fields),
        (page, size),
        tool,
        spec.label_field,
    )
}

/// `get_<noun>`.
pub(crate) async fn get(
    client: &SdpClient,
    spec: &ModuleSpec,
    args: Map<String, Value>,
) -> Result<Outcome, ToolError> {
    let args: GetArgs = parse(args)?;
    let id = id(spec, &args.id)?;
    let response = client.execute(&ApiCall::get([spec.path, &id])).await?;
    item_of(
        &response,
        spec.singular,
        format!("{} {id}", spec.label),
        spec.label_field,
    )
}

/// `create_<noun>`.
pub(crate) async fn create(
    client: &SdpClient,
    spec: &ModuleSpec,
    args: Map<String, Value>,
) -> Result<Outcome, ToolError> {
    let args: CreateArgs = parse(args)?;
    let body = to_sdp(&args.fields, spec.rules(), true, spec.label)?;
    let call = ApiCall::post([spec.path]).input_data(json!({ spec.singular: body }));
    let look = format!("list_{} (is the new {} there?)", spec.nouns, spec.label);
    let response = client.execute(&call).await.or_unknown(&look)?;
    item_of(
        &response,
        spec.singular,
        format!("created the {}", spec.label),
        spec.label_field,
    )
}

/// `update_<noun>`.
pub(crate) async fn update(
    client: &SdpClient,
    spec: &ModuleSpec,
    args: Map<String, Value>,
) -> Result<Outcome, ToolError> {
    let args: UpdateArgs = parse(args)?;
    let id = id(spec, &args.id)?;
    let body = to_sdp(&args.fields, spec.rules(), false, spec.label)?;
    let call = ApiCall::put([spec.path, &id]).input_data(json!({ spec.singular: body }));
    let response = client.execute(&call).await.or_unknown(&check(spec, &id))?;
    item_of(
        &response,
        spec.singular,
        format!("updated {} {id}", spec.label),
        spec.label_field,
    )
}

/// `delete_<noun>`.
pub(crate) async fn delete(
    client: &SdpClient,
    context: &RequestContext<RoleServer>,
    spec: &ModuleSpec,
    args: Map<String, Value>,
) -> Result<Outcome, ToolError> {
    let args: ConfirmArgs = parse(args)?;
    let id = id(spec, &args.id)?;
    confirm(
        context,
        args.confirm,
        &format!("permanently delete {} {id}", spec.label),
    )
    .await?;
    client
        .execute(&ApiCall::delete([spec.path, &id]))
        .await
        .or_unknown(&check(spec, &id))?;
    let message = format!("deleted {} {id}", spec.label);
    Outcome::new(
        ActionResult {
            message: message.clone(),
            id,
        },
        message,
    )
}

/// An item action (close, trash, restore).
pub(crate) async fn action(
    client: &SdpClient,
    context: &RequestContext<RoleServer>,
    spec: &ModuleSpec,
    action: &ActionSpec,
    args: Map<String, Value>,
) -> Result<Outcome, ToolError> {
    let (given, confirmed, comments) = match action.kind {
        ActionKind::Close => {
            let args: CloseArgs = parse(args)?;
            (args.id, args.confirm, args.comments)
        }
        ActionKind::Trash => {
            let args: ConfirmArgs = parse(args)?;
            (args.id, args.confirm, None)
        }
        ActionKind::Restore => (parse::<GetArgs>(args)?.id, Some(true), None),
    };
    let id = id(spec, &given)?;
    let (what, method) = match action.kind {
        ActionKind::Close => (format!("close {} {id}", spec.label), Method::PUT),
        ActionKind::Trash => (
            format!("move {} {id} to the trash", spec.label),
            Method::DELETE,
        ),
        ActionKind::Restore => (format!("restore {} {id}", spec.label), Method::PUT),
    };
    confirm(context, confirmed, &what).await?;
    let mut call = ApiCall::new(method, [spec.path, &id, action.segment]);
    let mut as_note = None;
    if let Some(comments) = comments {
        match action.comments_at.split_last() {
            Some((last, parents)) => {
                let mut body = json!({ *last: comments });
                for parent in parents.iter().rev() {
                    body = json!({ *parent: body });
                }
                call = call.input_data(json!({ spec.singular: body }));
            }
            None => as_note = Some(comments),
        }
    }
    let response = client.execute(&call).await.or_unknown(&check(spec, &id))?;
    if let Some(comments) = as_note {
        let note = ApiCall::post([spec.path, &id, "notes"])
            .input_data(json!({ "note": { "description": comments } }));
        let notes = format!("list_{}_notes for {} {id}", spec.noun, spec.label);
        client.execute(&note).await.or_unknown(&notes)?;
    }
    let message = format!("{} {} {id}: done", action.verb, spec.label);
    item_of(&response, spec.singular, message, spec.label_field)
}

/// `list_<noun>_<sub nouns>`.
pub(crate) async fn sub_list(
    client: &SdpClient,
    spec: &ModuleSpec,
    sub: &SubSpec,
    args: Map<String, Value>,
    tool: &str,
) -> Result<Outcome, ToolError> {
    let args: SubListArgs = parse(args)?;
    let id = id(spec, &args.id)?;
    let (list_info, page, size) = paging(args.page, args.page_size);
    let call = ApiCall::get([spec.path, &id, sub.path]).input_data(list_info.to_input_data());
    let response = client.execute(&call).await?;
    page_of(
        &response,
        sub.plural,
        None,
        (page, size),
        tool,
        sub.label_field,
    )
}

/// `add_<noun>_<sub noun>`.
pub(crate) async fn sub_add(
    client: &SdpClient,
    spec: &ModuleSpec,
    sub: &SubSpec,
    args: Map<String, Value>,
) -> Result<Outcome, ToolError> {
    let args: SubCreateArgs = parse(args)?;
    let id = id(spec, &args.id)?;
    let body = to_sdp(&args.fields, sub.rules(), true, sub.noun)?;
    let call = ApiCall::post([spec.path, &id, sub.path]).input_data(json!({ sub.singular: body }));
    let response = client
        .execute(&call)
        .await
        .or_unknown(&sub_check(spec, sub, &id))?;
    let message = format!("added a {} to {} {id}", sub.noun, spec.label);
    item_of(&response, sub.singular, message, sub.label_field)
}

/// `update_<noun>_<sub noun>`.
pub(crate) async fn sub_update(
    client: &SdpClient,
    spec: &ModuleSpec,
    sub: &SubSpec,
    args: Map<String, Value>,
) -> Result<Outcome, ToolError> {
    let args: SubUpdateArgs = parse(args)?;
    let id = id(spec, &args.id)?;
    let item = sub_id(spec, sub, &args.item_id)?;
    let body = to_sdp(&args.fields, sub.rules(), false, sub.noun)?;
    let call =
        ApiCall::put([spec.path, &id, sub.path, &item]).input_data(json!({ sub.singular: body }));
    let response = client
        .execute(&call)
        .await
        .or_unknown(&sub_check(spec, sub, &id))?;
    let message = format!("updated {} {item} of {} {id}", sub.noun, spec.label);
    item_of(&response, sub.singular, message, sub.label_field)
}

/// `delete_<noun>_<sub noun>`.
pub(crate) async fn sub_delete(
    client: &SdpClient,
    context: &RequestContext<RoleServer>,
    spec: &ModuleSpec,
    sub: &SubSpec,
    args: Map<String, Value>,
) -> Result<Outcome, ToolError> {
    let args: SubDeleteArgs = parse(args)?;
    let id = id(spec, &args.id)?;
    let item = sub_id(spec, sub, &args.item_id)?;
    let what = format!("delete {} {item} of {} {id}", sub.noun, spec.label);
    confirm(context, args.confirm, &what).await?;
    client
        .execute(&ApiCall::delete([spec.path, &id, sub.path, &item]))
        .await
        .or_unknown(&sub_check(spec, sub, &id))?;
    let message = format!("deleted {} {item} of {} {id}", sub.noun, spec.label);
    Outcome::new(
        ActionResult {
            message: message.clone(),
            id: item,
        },
        message,
    )
}
