//! [`ModuleApi`]: the operations every root module shares (CRUD, notes,
//! tasks, worklogs, approvals, attachments, `_metainfo`), generic over the
//! entity, plus per-module additions for problems, changes, releases,
//! projects and solutions.

use std::marker::PhantomData;

use reqwest::Method;
use serde::Serialize;
use serde_json::{Map, Value};

use super::approvals::ApprovalsApi;
use super::attachments::AttachmentsApi;
use super::collection::{Collection, Page};
use crate::client::SdpClient;
use crate::entity::{Entity, Module};
use crate::error::SdpError;
use crate::http::call::{ApiCall, ApiResponse};
use crate::models::{
    ApprovalLevel, Change, MetaInfo, Milestone, Note, Problem, Project, ProjectComment,
    ProjectMember, Release, Solution, Task, Worklog,
};
use crate::query::list_info::ListInfo;

/// Operations of a root module such as `/problems`. Obtained from
/// [`SdpClient::requests`], [`SdpClient::problems`], … or [`SdpClient::module`].
#[derive(Debug)]
pub struct ModuleApi<'c, E> {
    pub(crate) client: &'c SdpClient,
    entity: PhantomData<fn() -> E>,
}

impl<E> Clone for ModuleApi<'_, E> {
    fn clone(&self) -> Self {
        ModuleApi {
            client: self.client,
            entity: PhantomData,
        }
    }
}

impl<'c, E: Module> ModuleApi<'c, E> {
    pub(crate) fn new(client: &'c SdpClient) -> Self {
        ModuleApi {
            client,
            entity: PhantomData,
        }
    }

    /// The root collection (`/problems`).
    pub fn collection(&self) -> Collection<'c, E> {
        Collection::new(self.client, vec![E::SEGMENT.to_owned()])
    }

    /// One page.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn list(&self, list_info: &ListInfo) -> Result<Page<E>, SdpError> {
        self.collection().list(list_info).await
    }

    /// Every page up to `max_items` items.
    ///
    /// # Errors
    /// The first failing page's error.
    pub async fn list_all(
        &self,
        list_info: &ListInfo,
        max_items: usize,
    ) -> Result<Vec<E>, SdpError> {
        self.collection().list_all(list_info, max_items).await
    }

    /// One item by id.
    ///
    /// # Errors
    /// [`SdpError`]; a missing id is 4007.
    pub async fn get(&self, id: &str) -> Result<E, SdpError> {
        self.collection().get(id).await
    }

    /// Creates an item.
    ///
    /// # Errors
    /// [`SdpError`]; missing mandatory fields are 4012.
    pub async fn create(&self, body: &E::New) -> Result<E, SdpError> {
        self.collection().create(body).await
    }

    /// Creates an item from any serialisable body (wrapped in the singular key).
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn create_raw<B: Serialize + ?Sized>(&self, body: &B) -> Result<E, SdpError> {
        self.collection().create(body).await
    }

    /// Updates an item (partial).
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn update(&self, id: &str, body: &E::Update) -> Result<E, SdpError> {
        self.collection().update(id, body).await
    }

    /// Updates an item from any serialisable body.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn update_raw<B: Serialize + ?Sized>(
        &self,
        id: &str,
        body: &B,
    ) -> Result<E, SdpError> {
        self.collection().update(id, body).await
    }

    /// Deletes an item.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn delete(&self, id: &str) -> Result<ApiResponse, SdpError> {
        self.collection().delete(id).await
    }

    /// Runs `method /{module}/{id}/{action}` with an optional body (wrapped in
    /// the module's singular key).
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn action(
        &self,
        method: Method,
        id: &str,
        action: &str,
        body: Option<&Value>,
    ) -> Result<ApiResponse, SdpError> {
        self.collection().action(method, id, action, body).await
    }

    /// A sub-collection `/{module}/{id}/{S::SEGMENT}`.
    pub fn sub<S: Entity>(&self, id: &str) -> Collection<'c, S> {
        Collection::new(
            self.client,
            vec![E::SEGMENT.to_owned(), id.to_owned(), S::SEGMENT.to_owned()],
        )
    }

    /// Notes of one item (`request_note` key on requests, `note` elsewhere).
    pub fn notes(&self, id: &str) -> Collection<'c, Note> {
        let notes = self.sub::<Note>(id);
        if E::SEGMENT == "requests" {
            notes
        } else {
            notes.with_write_key("note")
        }
    }

    /// Tasks of one item.
    pub fn tasks(&self, id: &str) -> Collection<'c, Task> {
        self.sub(id)
    }

    /// Worklogs of one item.
    pub fn worklogs(&self, id: &str) -> Collection<'c, Worklog> {
        self.sub(id)
    }

    /// Worklogs of one task of one item (`/{module}/{id}/tasks/{task_id}/worklogs`).
    pub fn task_worklogs(&self, id: &str, task_id: &str) -> Collection<'c, Worklog> {
        Collection::new(
            self.client,
            vec![
                E::SEGMENT.to_owned(),
                id.to_owned(),
                Task::SEGMENT.to_owned(),
                task_id.to_owned(),
                Worklog::SEGMENT.to_owned(),
            ],
        )
    }

    /// Approval levels of one item.
    pub fn approval_levels(&self, id: &str) -> Collection<'c, ApprovalLevel> {
        self.sub(id)
    }

    /// Approvals of one approval level, with approve/reject.
    pub fn approvals(&self, id: &str, level_id: &str) -> ApprovalsApi<'c> {
        ApprovalsApi::new(
            self.client,
            vec![
                E::SEGMENT.to_owned(),
                id.to_owned(),
                ApprovalLevel::SEGMENT.to_owned(),
                level_id.to_owned(),
            ],
        )
    }

    /// Attachments of one item.
    pub fn attachments(&self, id: &str) -> AttachmentsApi<'c> {
        AttachmentsApi::new(self.client, vec![E::SEGMENT.to_owned(), id.to_owned()])
    }

    /// Field definitions of the module (`GET /{module}/_metainfo`), UDFs included.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn metainfo(&self) -> Result<MetaInfo, SdpError> {
        let call = ApiCall::get([E::SEGMENT, MetaInfo::SEGMENT]);
        let response = self.client.execute(&call).await?;
        response.entity(&[MetaInfo::SINGULAR])
    }

    /// Moves an item to the trash (`DELETE /{module}/{id}/move_to_trash`).
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn move_to_trash(&self, id: &str) -> Result<ApiResponse, SdpError> {
        self.action(Method::DELETE, id, "move_to_trash", None).await
    }

    /// Restores an item from the trash (`PUT /{module}/{id}/restore_from_trash`, no body).
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn restore_from_trash(&self, id: &str) -> Result<ApiResponse, SdpError> {
        self.action(Method::PUT, id, "restore_from_trash", None)
            .await
    }
}

/// `{"closure_comments": comments}`-style close body for problems, changes
/// and releases.
fn close_body(comments: Option<&str>) -> Option<Value> {
    comments.map(|text| {
        let mut map = Map::new();
        map.insert("closure_comments".into(), Value::String(text.to_owned()));
        Value::Object(map)
    })
}

impl ModuleApi<'_, Problem> {
    /// Closes a problem (`PUT /problems/{id}/close`).
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn close(&self, id: &str, comments: Option<&str>) -> Result<ApiResponse, SdpError> {
        self.action(Method::PUT, id, "close", close_body(comments).as_ref())
            .await
    }
}

impl ModuleApi<'_, Change> {
    /// Closes a change (`PUT /changes/{id}/close`).
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn close(&self, id: &str, comments: Option<&str>) -> Result<ApiResponse, SdpError> {
        self.action(Method::PUT, id, "close", close_body(comments).as_ref())
            .await
    }
}

impl ModuleApi<'_, Release> {
    /// Closes a release (`PUT /releases/{id}/_close`).
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn close(&self, id: &str, comments: Option<&str>) -> Result<ApiResponse, SdpError> {
        self.action(Method::PUT, id, "_close", close_body(comments).as_ref())
            .await
    }
}

impl<'c> ModuleApi<'c, Project> {
    /// Milestones of a project.
    pub fn milestones(&self, id: &str) -> Collection<'c, Milestone> {
        self.sub(id)
    }

    /// Tasks of one milestone (`/projects/{id}/milestones/{mid}/tasks`).
    pub fn milestone_tasks(&self, id: &str, milestone_id: &str) -> Collection<'c, Task> {
        Collection::new(
            self.client,
            vec![
                Project::SEGMENT.to_owned(),
                id.to_owned(),
                Milestone::SEGMENT.to_owned(),
                milestone_id.to_owned(),
                Task::SEGMENT.to_owned(),
            ],
        )
    }

    /// Members of a project.
    pub fn members(&self, id: &str) -> Collection<'c, ProjectMember> {
        self.sub(id)
    }

    /// Comments of a project.
    pub fn comments(&self, id: &str) -> Collection<'c, ProjectComment> {
        self.sub(id)
    }
}

impl ModuleApi<'_, Solution> {
    /// Moves a solution to the trash (`DELETE /solutions/{id}/_move_to_trash`);
    /// a bare delete of a solution not in the trash fails.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn trash(&self, id: &str) -> Result<ApiResponse, SdpError> {
        self.action(Method::DELETE, id, "_move_to_trash", None)
            .await
    }
}
