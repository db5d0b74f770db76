//! cockpit's own serde models for the GitHub REST responses it consumes.
//!
//! Conventions:
//! - ids are `u64` (GitHub ids no longer fit in 32 bits);
//! - every field GitHub may send as `null` (or omit) is an `Option`;
//! - lists default to empty when absent;
//! - unknown fields are ignored and unknown enum values decode to `Unknown`,
//!   so a new GitHub value never breaks a whole screen.
//!
//! Every published response example of the endpoints cockpit calls is decoded
//! by `tests/github_models.rs`.

mod actions;
mod common;
mod deployments;
mod rate_limit;
mod repos;
mod status;

pub use actions::{
    DispatchRunDetails, Job, JobsPage, Step, Workflow, WorkflowRun, WorkflowRunsPage, WorkflowsPage,
};
pub use common::{ApiError, SimpleUser};
pub use deployments::{
    Deployment, DeploymentStatus, Environment, EnvironmentApproval, EnvironmentsPage,
    PendingDeployment, PendingEnvironment, PendingReviewer, Reviewer,
};
pub use rate_limit::{RateLimitBucket, RateLimitResources, RateLimitResponse};
pub use repos::{
    CommitDetail, CommitSummary, Comparison, ContentDecodeError, ContentFile, GitActor, Release,
};
pub use status::{Conclusion, RunStatus};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run_json(status: &str, conclusion: serde_json::Value, id: u64) -> serde_json::Value {
        json!({
            "id": id,
            "name": "Build",
            "run_number": 7,
            "head_sha": "abc",
            "event": "push",
            "status": status,
            "conclusion": conclusion,
            "workflow_id": id,
            "display_title": null,
            "html_url": "https://github.com/o/r/actions/runs/1",
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00+02:00"
        })
    }

    #[test]
    fn unknown_status_and_conclusion_decode_to_unknown() {
        let status: RunStatus = serde_json::from_str("\"teleporting\"").unwrap();
        assert_eq!(status, RunStatus::Unknown);
        let conclusion: Conclusion = serde_json::from_str("\"exploded\"").unwrap();
        assert_eq!(conclusion, Conclusion::Unknown);

        let run: WorkflowRun =
            serde_json::from_value(run_json("brand_new_status", json!("brand_new"), 1)).unwrap();
        assert_eq!(run.status, Some(RunStatus::Unknown));
        assert_eq!(run.conclusion, Some(Conclusion::Unknown));
        assert!(!run.is_active());
    }

    #[test]
    fn every_known_status_value_decodes() {
        for (s, want) in [
            ("queued", RunStatus::Queued),
            ("in_progress", RunStatus::InProgress),
            ("completed", RunStatus::Completed),
            ("waiting", RunStatus::Waiting),
            ("requested", RunStatus::Requested),
            ("pending", RunStatus::Pending),
            ("action_required", RunStatus::ActionRequired),
        ] {
            assert_eq!(serde_json::from_value::<RunStatus>(json!(s)).unwrap(), want);
        }
        for (s, want) in [
            ("success", Conclusion::Success),
            ("failure", Conclusion::Failure),
            ("neutral", Conclusion::Neutral),
            ("cancelled", Conclusion::Cancelled),
            ("skipped", Conclusion::Skipped),
            ("timed_out", Conclusion::TimedOut),
            ("action_required", Conclusion::ActionRequired),
            ("stale", Conclusion::Stale),
            ("startup_failure", Conclusion::StartupFailure),
        ] {
            assert_eq!(
                serde_json::from_value::<Conclusion>(json!(s)).unwrap(),
                want
            );
        }
    }

    #[test]
    fn ids_larger_than_u32_decode() {
        let big: u64 = u64::from(u32::MAX) + 12_345;
        let run: WorkflowRun =
            serde_json::from_value(run_json("waiting", json!(null), big)).unwrap();
        assert_eq!(run.id, big);
        assert_eq!(run.workflow_id, big);
        assert!(run.is_active());
        assert_eq!(run.title(), "Build");

        let job: Job = serde_json::from_value(json!({
            "id": big, "run_id": big + 1, "name": "test", "status": "in_progress",
            "conclusion": null, "started_at": null, "completed_at": null, "html_url": null,
            "runner_name": null, "workflow_name": null, "head_branch": null
        }))
        .unwrap();
        assert_eq!((job.id, job.run_id), (big, big + 1));
        assert!(job.steps.is_empty());
    }

    #[test]
    fn run_title_and_activity() {
        let mut run: WorkflowRun =
            serde_json::from_value(run_json("completed", json!("success"), 1)).unwrap();
        assert!(!run.is_active());
        run.display_title = Some("Release v2".into());
        assert_eq!(run.title(), "Release v2");
        run.display_title = None;
        run.name = None;
        assert_eq!(run.title(), "");
        run.status = None;
        assert!(!run.is_active());
        // Timestamps with an offset are normalised to UTC.
        assert_eq!(run.updated_at.to_rfc3339(), "2023-12-31T22:00:00+00:00");
    }

    #[test]
    fn reviewer_display_prefers_login_then_team_name() {
        let user = Reviewer {
            login: Some("octocat".into()),
            name: None,
            slug: None,
            id: Some(1),
        };
        assert_eq!(user.display(), "octocat");
        let team = Reviewer {
            login: None,
            name: Some("Justice League".into()),
            slug: Some("justice-league".into()),
            id: Some(2),
        };
        assert_eq!(team.display(), "Justice League");
        let slug_only = Reviewer {
            name: None,
            ..team.clone()
        };
        assert_eq!(slug_only.display(), "justice-league");
        let bare = Reviewer {
            login: None,
            name: None,
            slug: None,
            id: Some(9),
        };
        assert_eq!(bare.display(), "#9");
    }

    #[test]
    fn commit_author_may_be_null_or_empty_object() {
        let base = |author: serde_json::Value| {
            json!({
                "sha": "abc", "html_url": "https://github.com/o/r/commit/abc",
                "commit": {"message": "m", "author": null},
                "author": author
            })
        };
        for author in [json!(null), json!({})] {
            let c: CommitSummary = serde_json::from_value(base(author)).unwrap();
            assert_eq!(c.author, None);
        }
        let c: CommitSummary =
            serde_json::from_value(base(json!({"login": "mona", "id": 5}))).unwrap();
        assert_eq!(c.author.map(|a| a.login).as_deref(), Some("mona"));
        assert!(serde_json::from_value::<CommitSummary>(base(json!({"id": 5}))).is_err());
    }

    #[test]
    fn api_error_decodes_and_displays() {
        let e: ApiError = serde_json::from_value(json!({
            "message": "Not Found",
            "documentation_url": "https://docs.github.com/rest"
        }))
        .unwrap();
        assert_eq!(e.to_string(), "Not Found");
        let e: ApiError = serde_json::from_value(json!({"message": "Bad credentials"})).unwrap();
        assert_eq!(e.documentation_url, None);
    }

    fn content(encoding: Option<&str>, content: Option<&str>) -> ContentFile {
        ContentFile {
            kind: "file".into(),
            encoding: encoding.map(String::from),
            content: content.map(String::from),
            name: "ci.yml".into(),
            path: ".github/workflows/ci.yml".into(),
            sha: "abc".into(),
        }
    }

    #[test]
    fn content_file_decodes_wrapped_base64() {
        // "name: CI\non: push\n" wrapped the way GitHub does, with a trailing newline.
        let f = content(Some("base64"), Some("bmFtZTogQ0kK\nb246IHB1c2gK\n"));
        assert_eq!(f.decoded().unwrap(), b"name: CI\non: push\n");
        assert_eq!(content(Some("base64"), Some("")).decoded().unwrap(), b"");
        assert!(matches!(
            content(Some("none"), Some("")).decoded(),
            Err(ContentDecodeError::NoContent { .. })
        ));
        assert!(matches!(
            content(Some("utf-16"), Some("x")).decoded(),
            Err(ContentDecodeError::UnsupportedEncoding { .. })
        ));
        let bad = content(Some("base64"), Some("@@@")).decoded().unwrap_err();
        assert!(
            bad.to_string().contains(".github/workflows/ci.yml"),
            "{bad}"
        );
    }

    #[test]
    fn models_round_trip_through_serde() {
        let run: WorkflowRun =
            serde_json::from_value(run_json("action_required", json!(null), 3)).unwrap();
        let back: WorkflowRun =
            serde_json::from_value(serde_json::to_value(&run).unwrap()).unwrap();
        assert_eq!(run, back);
    }
}
